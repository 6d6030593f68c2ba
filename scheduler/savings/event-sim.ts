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
 * arrival. `consolidation`: every `everyS` the recommender's consolidate kind runs on the powered nodes; each
 * node it names is adopted with probability `adoption`, drained when its pods fit on the others (CPU and
 * memory too: consolidation.ts) and powered off; its pods (only `movable` ones: they lose no work) go to
 * the front of the queue with their remaining run time, their new wait counted as queue time.
 * Counted inside the window: GPU-hours held up to endS, the wait of a pod still queued at endS up
 * to endS (in the mean queue time over the pods arrived), pods completed by endS, and unallocated GPUs =
 * the share of powered GPU-time with nothing allocated on the GPU.
 */
import {
  defaultGpus,
  fitsNode,
  GPU_MILLI,
  gpuAffinityTag,
  newNodeState,
  placePod,
  type NodeSpec,
  type NodeState,
  type PodRequest,
} from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';
import { createRandomSource } from '../random-source.ts';
import type { WorkloadShapes } from '../workload-shapes.ts';
import { nodesToDrain, type RunningPod } from './consolidation.ts';
import { TimeHeap } from './time-heap.ts';

export interface Job {
  readonly pod: PodRequest;
  readonly arriveS: number;
  readonly durationS: number;
  /** Restarted on another node without losing its work (a serving replica): consolidation may move it. */
  readonly movable?: boolean;
}

/** Adopted consolidate recommendations: every `everyS` the recommender runs; each node it names is drained with probability `adoption`. */
export interface Consolidation {
  readonly everyS: number;
  readonly adoption: number;
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
  /** Drain the nodes the consolidate recommender names and power them off (scale-up may boot them again). */
  readonly consolidation?: Consolidation;
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
  /** Nodes drained by adopted consolidate recommendations, and the pods they restarted elsewhere. */
  readonly drains: number;
  readonly podsMoved: number;
}

type Power = 'on' | 'booting' | 'off';
type Event =
  | { t: number; kind: 'depart'; run: number }
  | { t: number; kind: 'boot'; node: number }
  | { t: number; kind: 'idle'; node: number }
  | { t: number; kind: 'consolidate' };

/** A pod placed on a node until `endS` (`movable`: consolidation may restart it elsewhere). */
interface Run {
  readonly id: number;
  readonly node: number;
  readonly job: Job;
  readonly gpus: readonly number[];
  readonly endS: number;
  readonly movable: boolean;
}
interface Queued extends Job {
  /** A moved pod: already started (and counted completed when its first end was inside the window). */
  readonly restart?: { readonly countedCompleted: boolean };
}

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

const shapeKey = (p: PodRequest) => `${p.cpuMilli}/${p.memoryMib}/${p.gpuCount}/${p.gpuMilli}/${p.gpuSpec.join('|')}`;

export function simulateEvents(options: EventSimOptions): EventSimResult {
  const { autoscaler, endS } = options;
  const random = createRandomSource(options.seed);
  const nodes = options.nodes.map(newNodeState);
  const emptyNodes = options.nodes.map(newNodeState);
  const usdPerS = options.nodes.map((n) => (n.gpuCount * options.usdPerGpuHour(n.gpuModel)) / 3600);
  const power: Power[] = nodes.map(() => 'on');
  const emptySince: number[] = nodes.map(() => NaN);
  const totalGpus = nodes.reduce((s, n) => s + n.spec.gpuCount, 0);
  const events = new TimeHeap<Event>();
  const runs = new Map<number, Run>();
  const running: RunningPod[][] = nodes.map(() => []);
  const cordoned: boolean[] = nodes.map(() => false);
  const adopt = createRandomSource(options.seed + 7);
  let queue: Queued[] = [];
  let [nextRun, drains, podsMoved] = [0, 0, 0];
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
    if (to === 'off') cordoned[i] = false;
  };
  for (let i = 0; i < nodes.length; i++) becameEmpty(i);
  if (options.consolidation) events.push({ t: firstS + options.consolidation.everyS, kind: 'consolidate' });

  const heldHours = (pod: PodRequest, seconds: number) => (pod.gpuCount * pod.gpuMilli * seconds) / GPU_MILLI / 3600;
  const tryPlace = (job: Queued): boolean => {
    let best = -Infinity;
    let chosen = -1;
    let gpus: readonly number[] = [];
    let ties = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (power[i] !== 'on' || cordoned[i]) continue;
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
    emptySince[chosen] = NaN;
    const hours = heldHours(job.pod, Math.min(job.durationS, endS - now));
    gpuHours += hours;
    allocatedCostUsd += hours * options.usdPerGpuHour(node.spec.gpuModel);
    start(job);
    const run: Run = { id: nextRun++, node: chosen, job, gpus, endS: now + job.durationS, movable: !!job.movable };
    runs.set(run.id, run);
    running[chosen]!.push({ id: run.id, pod: job.pod, movable: run.movable });
    events.push({ t: run.endS, kind: 'depart', run: run.id });
    return true;
  };
  const start = (job: Queued) => {
    queueS += now - job.arriveS;
    const inside = now + job.durationS <= endS;
    if (!job.restart) {
      started++;
      if (inside) completed++;
    } else if (job.restart.countedCompleted && !inside) completed--;
  };
  /** Takes a run off its node (a departure, or a drain that restarts it elsewhere). */
  const unplace = (run: Run) => {
    const node = nodes[run.node]!;
    const before = emptyGpus(node);
    removePod(node, run.job.pod, run.gpus);
    freeGpus += emptyGpus(node) - before;
    runs.delete(run.id);
    const list = running[run.node]!;
    list.splice(
      list.findIndex((r) => r.id === run.id),
      1,
    );
    if (list.length === 0) becameEmpty(run.node);
  };
  /** Drains the nodes adopted consolidate recommendations name: their pods restart first in the queue. */
  const consolidateNow = () => {
    const eligible = nodes.map((_, i) => power[i] === 'on' && !cordoned[i]);
    const drained = nodesToDrain(
      nodes,
      running,
      eligible,
      options.usdPerGpuHour,
      () => adopt() < options.consolidation!.adoption,
    );
    const moved: Queued[] = [];
    for (const i of drained) {
      cordoned[i] = true;
      drains++;
      for (const r of [...running[i]!]) {
        const run = runs.get(r.id)!;
        const left = run.endS - now;
        const hours = heldHours(run.job.pod, Math.min(left, endS - now));
        gpuHours -= hours;
        allocatedCostUsd -= hours * options.usdPerGpuHour(nodes[i]!.spec.gpuModel);
        unplace(run);
        podsMoved++;
        moved.push({ ...run.job, arriveS: now, durationS: left, restart: { countedCompleted: run.endS <= endS } });
      }
      // Drained to be removed: it goes down now, not after the idle delay.
      setPower(i, 'off');
      shutdowns++;
    }
    queue = [...moved, ...queue];
    if (moved.length > 0) drainQueue();
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
        placePod(room, job.pod, defaultGpus(room, job.pod));
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
      placePod(reserved, job.pod, defaultGpus(reserved, job.pod));
      booting.set(pick, reserved);
    }
  };
  /** Departures and boots; idle checks come after the queue had its chance at the freed room. */
  const handle = (e: Event): boolean => {
    if (e.kind === 'depart') {
      const run = runs.get(e.run);
      // A run moved by a drain departs from its new node under its new id.
      if (run) unplace(run);
      return run !== undefined;
    }
    if (e.kind === 'boot') {
      setPower(e.node, 'on');
      becameEmpty(e.node);
      return true;
    }
    return false;
  };
  const scaleDownIfIdle = (i: number) => {
    if (power[i] === 'on' && running[i]!.length === 0 && emptySince[i]! + autoscaler!.idleDelayS <= now) {
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
      let [freed, tick] = [false, false];
      while ((events.peek()?.t ?? Infinity) === timer) {
        const e = events.pop()!;
        if (e.kind === 'idle') idle.push(e.node);
        else if (e.kind === 'consolidate') tick = true;
        else freed = handle(e) || freed;
      }
      if (freed) drainQueue();
      if (tick) {
        consolidateNow();
        events.push({ t: now + options.consolidation!.everyS, kind: 'consolidate' });
      }
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
  const neverStarted = queue.filter((job) => !job.restart).length;
  const arrived = started + neverStarted;
  return {
    started,
    completed,
    neverStarted,
    fleetCostUsd,
    poweredGpuHours: poweredGpuSeconds / 3600,
    allocatedCostUsd,
    gpuHours,
    meanQueueS: arrived > 0 ? waited / arrived : 0,
    unallocatedGpuPct: poweredGpuSeconds > 0 ? (100 * freeGpuSeconds) / poweredGpuSeconds : 0,
    boots,
    shutdowns,
    drains,
    podsMoved,
  };
}
