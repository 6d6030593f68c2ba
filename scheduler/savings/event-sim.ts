/**
 * An event-driven cluster replay (pure): pods arrive at their times, each asks its request and runs its
 * duration once placed; a pod that fits nowhere waits in a FIFO queue, retried in arrival order after
 * every departure or node boot (a later pod that fits may start before an earlier one that does not:
 * kube-scheduler retries every pending pod, there is no head-of-line blocking). Queue time = start −
 * arrival. Ties among best nodes are broken at random (stock kube-scheduler's selectHost).
 *
 * Powered nodes (`autoscaler`, the same rules whatever the policy, as cluster-autoscaler applies them):
 * every node is powered at the first arrival; a powered node with nothing allocated for `idleDelayS` is
 * scaled down (cluster-autoscaler's scale-down-unneeded-time; the recommender's idle-reclaim and
 * consolidate kinds ask the same); when queued pods fit no powered node, scale-up boots powered-off
 * nodes for them (each pod in queue order goes to a booting node that still has room for it, else to
 * the off node that leaves the fewest GPU milli unused when it holds just that pod, then the cheaper,
 * then the first: cluster-autoscaler's least-waste expander on GPUs), and a node takes pods
 * `bootDelayS` after it was asked for: the wait counts as queue time. Only powered nodes take pods.
 * Without `autoscaler` every node stays powered all the time.
 *
 * Costs over [first arrival, endS): fleet cost = Σ powered (or booting) node-seconds × the node's GPUs ×
 * its model's price per GPU-hour / 3600; allocated cost = GPU-hours held (gpuCount × gpuMilli/1000 × run
 * hours) × the price. A job that asks no GPU (an adopted idle-reclaim) runs off this fleet: it starts on
 * arrival. Counted inside the window: GPU-hours held up to endS, the wait of a pod still queued at endS up
 * to endS (in the mean queue time over the pods arrived), pods completed by endS, and unallocated GPUs =
 * the share of powered GPU-time with nothing allocated on the GPU.
 */
import {
  bestFitGpu,
  firstFreeGpus,
  fitsNode,
  GPU_MILLI,
  gpuAffinityTag,
  isSharingPod,
  newNodeState,
  placePod,
  type NodeSpec,
  type NodeState,
  type PodRequest,
} from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';
import { createRandomSource } from '../random-source.ts';
import type { WorkloadShapes } from '../workload-shapes.ts';
import { TimeHeap } from './time-heap.ts';

export interface Job {
  readonly pod: PodRequest;
  readonly arriveS: number;
  readonly durationS: number;
}

export interface Autoscaler {
  /** A powered node with nothing allocated this long is scaled down. */
  readonly idleDelayS: number;
  /** A node asked for by scale-up takes pods this long later (it is paid from the ask). */
  readonly bootDelayS: number;
}

export interface EventSimOptions {
  readonly nodes: readonly NodeSpec[];
  /** In arrival order (ties: list order). */
  readonly jobs: readonly Job[];
  readonly policy: PlacementPolicy;
  readonly workload: WorkloadShapes;
  readonly seed: number;
  /** USD per GPU-hour of a node's model. */
  readonly usdPerGpuHour: (gpuModel: string) => number;
  /** The window's end: nothing is counted after it (a pod still queued then counts its wait so far). */
  readonly endS: number;
  /** Scale empty nodes down and boot nodes for the queue; absent: every node powered throughout. */
  readonly autoscaler?: Autoscaler;
}

export interface EventSimResult {
  readonly started: number;
  /** Pods whose run ended by the window's end. */
  readonly completed: number;
  /** Pods still queued at the window's end. */
  readonly neverStarted: number;
  /** Σ powered node-hours × the node's GPUs × its price. */
  readonly fleetCostUsd: number;
  /** GPU-hours of powered (or booting) nodes. */
  readonly poweredGpuHours: number;
  /** GPU-hours held by pods × the price of the node's model. */
  readonly allocatedCostUsd: number;
  readonly gpuHours: number;
  /** Over every arrived pod, started or still queued at endS. */
  readonly meanQueueS: number;
  /** Share of powered GPU-time with nothing allocated on the GPU. */
  readonly unallocatedGpuPct: number;
  /** Nodes booted by scale-up, and scale-downs. */
  readonly boots: number;
  readonly shutdowns: number;
}

type Power = 'on' | 'booting' | 'off';
type Event =
  | { t: number; kind: 'depart'; node: number; pod: PodRequest; gpus: readonly number[] }
  | { t: number; kind: 'boot'; node: number }
  | { t: number; kind: 'idle'; node: number };

function removePod(node: NodeState, pod: PodRequest, gpus: readonly number[]): void {
  node.cpuLeftMilli += pod.cpuMilli;
  node.memoryLeftMib += pod.memoryMib;
  for (const g of gpus) node.gpuFreeMilli[g]! += pod.gpuMilli;
  if (pod.gpuCount > 0) {
    const tag = gpuAffinityTag(pod);
    node.hostedGpuKinds.set(tag, (node.hostedGpuKinds.get(tag) ?? 1) - 1);
  }
  node.version++;
}

/** GPUs a scale-up reservation takes on a booting node: best fit for a share, the first free for whole GPUs. */
const reserveGpus = (node: NodeState, pod: PodRequest): number[] =>
  isSharingPod(pod) ? [bestFitGpu(node, pod.gpuMilli)] : firstFreeGpus(node, pod);

const shapeKey = (p: PodRequest) => `${p.cpuMilli}/${p.memoryMib}/${p.gpuCount}/${p.gpuMilli}/${p.gpuSpec.join('|')}`;

export function simulateEvents(options: EventSimOptions): EventSimResult {
  const { autoscaler, endS } = options;
  const random = createRandomSource(options.seed);
  const nodes = options.nodes.map(newNodeState);
  const emptyNodes = options.nodes.map(newNodeState);
  const usdPerS = options.nodes.map((n) => (n.gpuCount * options.usdPerGpuHour(n.gpuModel)) / 3600);
  const power: Power[] = nodes.map(() => 'on');
  const pods: number[] = nodes.map(() => 0);
  const emptySince: number[] = nodes.map(() => NaN);
  const totalGpus = nodes.reduce((s, n) => s + n.spec.gpuCount, 0);
  const events = new TimeHeap<Event>();
  let queue: Job[] = [];
  let [freeGpus, offGpus, poweredGpus, poweredUsdPerS] = [totalGpus, 0, totalGpus, usdPerS.reduce((s, x) => s + x, 0)];
  let [freeGpuSeconds, poweredGpuSeconds, fleetCostUsd, allocatedCostUsd, gpuHours, queueS] = [0, 0, 0, 0, 0, 0];
  let [started, completed, boots, shutdowns] = [0, 0, 0, 0];
  const firstS = options.jobs[0]?.arriveS ?? 0;
  let now = firstS;
  const advance = (t: number) => {
    const dt = t - now;
    freeGpuSeconds += (freeGpus - offGpus) * dt;
    poweredGpuSeconds += poweredGpus * dt;
    fleetCostUsd += poweredUsdPerS * dt;
    now = t;
  };
  const emptyGpus = (node: NodeState) => node.gpuFreeMilli.filter((f) => f === GPU_MILLI).length;
  const becameEmpty = (i: number) => {
    emptySince[i] = now;
    if (autoscaler) events.push({ t: now + autoscaler.idleDelayS, kind: 'idle', node: i });
  };
  const setPower = (i: number, to: Power) => {
    const gpus = nodes[i]!.spec.gpuCount;
    const wasPaid = power[i] !== 'off';
    const paid = to !== 'off';
    if (wasPaid !== paid) {
      const sign = paid ? 1 : -1;
      poweredGpus += sign * gpus;
      offGpus -= sign * gpus;
      poweredUsdPerS += sign * usdPerS[i]!;
    }
    power[i] = to;
  };
  for (let i = 0; i < nodes.length; i++) becameEmpty(i);

  const tryPlace = (job: Job): boolean => {
    let best = -Infinity;
    let chosen = -1;
    let gpus: readonly number[] = [];
    let ties = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (power[i] !== 'on') continue;
      const verdict = options.policy.score(nodes[i]!, job.pod, options.workload);
      if (!verdict || verdict.score < best) continue;
      const pick = () => verdict.gpuChoices[Math.floor(random() * verdict.gpuChoices.length)]!;
      if (verdict.score > best) {
        [best, chosen, ties, gpus] = [verdict.score, i, 1, pick()];
      } else if (random() * ++ties < 1) [chosen, gpus] = [i, pick()];
    }
    if (chosen < 0) return false;
    const node = nodes[chosen]!;
    const before = emptyGpus(node);
    placePod(node, job.pod, gpus);
    freeGpus += emptyGpus(node) - before;
    pods[chosen]!++;
    emptySince[chosen] = NaN;
    const heldS = Math.min(job.durationS, endS - now);
    const hours = (job.pod.gpuCount * job.pod.gpuMilli * heldS) / GPU_MILLI / 3600;
    gpuHours += hours;
    allocatedCostUsd += hours * options.usdPerGpuHour(node.spec.gpuModel);
    start(job);
    events.push({ t: now + job.durationS, kind: 'depart', node: chosen, pod: job.pod, gpus });
    return true;
  };
  const start = (job: Job) => {
    queueS += now - job.arriveS;
    started++;
    if (now + job.durationS <= endS) completed++;
  };
  /** Retries the queue in order; a shape that failed this pass fails again (the nodes only fill up). */
  const drainQueue = () => {
    const failed = new Set<string>();
    queue = queue.filter((job) => {
      const k = shapeKey(job.pod);
      if (failed.has(k)) return true;
      if (tryPlace(job)) return false;
      failed.add(k);
      return true;
    });
  };
  /** Boots off nodes for the queued pods that the booting nodes cannot hold either. */
  const scaleUp = () => {
    if (!autoscaler || queue.length === 0) return;
    const booting = new Map<number, NodeState>();
    for (let i = 0; i < nodes.length; i++) if (power[i] === 'booting') booting.set(i, newNodeState(nodes[i]!.spec));
    const failed = new Set<string>();
    for (const job of queue) {
      const k = shapeKey(job.pod);
      if (failed.has(k)) continue;
      const room = [...booting.values()].find((n) => fitsNode(n, job.pod));
      if (room) {
        placePod(room, job.pod, reserveGpus(room, job.pod));
        continue;
      }
      let pick = -1;
      let [pickWaste, pickUsd] = [Infinity, Infinity];
      for (let i = 0; i < nodes.length; i++) {
        if (power[i] !== 'off' || !fitsNode(emptyNodes[i]!, job.pod)) continue;
        const waste = nodes[i]!.spec.gpuCount * GPU_MILLI - job.pod.gpuCount * job.pod.gpuMilli;
        if (waste < pickWaste || (waste === pickWaste && usdPerS[i]! < pickUsd)) {
          [pick, pickWaste, pickUsd] = [i, waste, usdPerS[i]!];
        }
      }
      if (pick < 0) {
        failed.add(k);
        continue;
      }
      setPower(pick, 'booting');
      boots++;
      events.push({ t: now + autoscaler.bootDelayS, kind: 'boot', node: pick });
      const reserved = newNodeState(nodes[pick]!.spec);
      placePod(reserved, job.pod, reserveGpus(reserved, job.pod));
      booting.set(pick, reserved);
    }
  };
  /** Departures and boots; idle checks come after the queue had its chance at the freed room. */
  const handle = (e: Event): boolean => {
    const i = e.node;
    if (e.kind === 'depart') {
      const node = nodes[i]!;
      const before = emptyGpus(node);
      removePod(node, e.pod, e.gpus);
      freeGpus += emptyGpus(node) - before;
      if (--pods[i]! === 0) becameEmpty(i);
      return true;
    }
    if (e.kind === 'boot') {
      setPower(i, 'on');
      becameEmpty(i);
      return true;
    }
    return false;
  };
  const scaleDownIfIdle = (i: number) => {
    if (power[i] === 'on' && pods[i] === 0 && emptySince[i]! + autoscaler!.idleDelayS <= now) {
      setPower(i, 'off');
      shutdowns++;
    }
  };

  let next = 0;
  const jobs = options.jobs;
  for (;;) {
    const arrival = jobs[next]?.arriveS ?? Infinity;
    const timer = events.peek()?.t ?? Infinity;
    if (Math.min(arrival, timer) >= endS) break;
    if (timer <= arrival) {
      advance(timer);
      const idle: number[] = [];
      let freed = false;
      while ((events.peek()?.t ?? Infinity) === timer) {
        const e = events.pop()!;
        if (e.kind === 'idle') idle.push(e.node);
        else freed = handle(e) || freed;
      }
      if (freed) drainQueue();
      for (const i of idle) scaleDownIfIdle(i);
    } else {
      advance(arrival);
      const job = jobs[next++]!;
      // A job that asks no GPU runs off this fleet; the queued pods fit nowhere since the last
      // departure: trying the new one alone keeps FIFO order.
      if (job.pod.gpuCount === 0) start(job);
      else if (!tryPlace(job)) queue.push(job);
    }
    scaleUp();
  }
  advance(endS);
  const waited = queue.reduce((s, job) => s + (endS - job.arriveS), queueS);
  const arrived = started + queue.length;
  return {
    started,
    completed,
    neverStarted: queue.length,
    fleetCostUsd,
    poweredGpuHours: poweredGpuSeconds / 3600,
    allocatedCostUsd,
    gpuHours,
    meanQueueS: arrived > 0 ? waited / arrived : 0,
    unallocatedGpuPct: poweredGpuSeconds > 0 ? (100 * freeGpuSeconds) / poweredGpuSeconds : 0,
    boots,
    shutdowns,
  };
}
