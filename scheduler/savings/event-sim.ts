/**
 * An event-driven cluster replay (pure): pods arrive at their times, each asks its request and runs its
 * duration once placed; a pod that fits nowhere waits in a FIFO queue, retried in arrival order after
 * every departure (a later pod that fits may start before an earlier one that does not: kube-scheduler
 * retries every pending pod, there is no head-of-line blocking). Queue time = start − arrival.
 * Cost = GPU-hours held (gpuCount × gpuMilli/1000 × run hours) × the node model's price per GPU-hour.
 * Everything is counted over [first arrival, endS): GPU-hours held inside it, the wait of a pod still
 * queued at endS up to endS (in the mean queue time over the pods arrived), and unallocated GPUs = the
 * time average of the share of GPUs with nothing allocated. Ties among best nodes are broken at random (stock kube-scheduler's selectHost).
 */
import { GPU_MILLI, newNodeState, placePod, type NodeSpec, type NodeState, type PodRequest } from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';
import { createRandomSource } from '../random-source.ts';
import type { WorkloadShapes } from '../workload-shapes.ts';

export interface Job {
  readonly pod: PodRequest;
  readonly arriveS: number;
  readonly durationS: number;
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
}

export interface EventSimResult {
  readonly started: number;
  /** Pods still queued at the window's end. */
  readonly neverStarted: number;
  readonly costUsd: number;
  readonly gpuHours: number;
  /** Over every arrived pod, started or still queued at endS. */
  readonly meanQueueS: number;
  readonly unallocatedGpuPct: number;
}

/** Min-heap of departures by time. */
class Departures {
  private readonly items: { t: number; node: number; pod: PodRequest; gpus: readonly number[] }[] = [];
  get size(): number {
    return this.items.length;
  }
  peek() {
    return this.items[0];
  }
  push(item: { t: number; node: number; pod: PodRequest; gpus: readonly number[] }): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p]!.t <= a[i]!.t) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < a.length && a[l]!.t < a[m]!.t) m = l;
        if (r < a.length && a[r]!.t < a[m]!.t) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function removePod(node: NodeState, pod: PodRequest, gpus: readonly number[]): void {
  node.cpuLeftMilli += pod.cpuMilli;
  node.memoryLeftMib += pod.memoryMib;
  for (const g of gpus) node.gpuFreeMilli[g]! += pod.gpuMilli;
  if (pod.gpuCount > 0) {
    const tag = pod.gpuCount === 1 && pod.gpuMilli < GPU_MILLI ? 'share-gpu' : `${pod.gpuCount}-gpu`;
    node.hostedGpuKinds.set(tag, (node.hostedGpuKinds.get(tag) ?? 1) - 1);
  }
  node.version++;
}

export function simulateEvents(options: EventSimOptions): EventSimResult {
  const random = createRandomSource(options.seed);
  const nodes = options.nodes.map(newNodeState);
  const totalGpus = nodes.reduce((s, n) => s + n.spec.gpuCount, 0);
  const departures = new Departures();
  let queue: Job[] = [];
  let [now, freeGpus, freeGpuSeconds, costUsd, gpuHours, queueS, started] = [0, totalGpus, 0, 0, 0, 0, 0];
  const firstS = options.jobs[0]?.arriveS ?? 0;
  now = firstS;
  const advance = (t: number) => {
    freeGpuSeconds += freeGpus * (t - now);
    now = t;
  };
  const emptyGpus = (node: NodeState) => node.gpuFreeMilli.filter((f) => f === GPU_MILLI).length;

  const tryPlace = (job: Job): boolean => {
    let best = -Infinity;
    let chosen = -1;
    let gpus: readonly number[] = [];
    let ties = 0;
    for (let i = 0; i < nodes.length; i++) {
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
    const heldS = Math.min(job.durationS, options.endS - now);
    const hours = (job.pod.gpuCount * job.pod.gpuMilli * heldS) / GPU_MILLI / 3600;
    gpuHours += hours;
    costUsd += hours * options.usdPerGpuHour(node.spec.gpuModel);
    queueS += now - job.arriveS;
    started++;
    departures.push({ t: now + job.durationS, node: chosen, pod: job.pod, gpus });
    return true;
  };
  /** Retries the queue in order; a shape that failed this pass fails again (the nodes only fill up). */
  const drainQueue = () => {
    const failed = new Set<string>();
    const key = (p: PodRequest) => `${p.cpuMilli}/${p.memoryMib}/${p.gpuCount}/${p.gpuMilli}/${p.gpuSpec.join('|')}`;
    queue = queue.filter((job) => {
      const k = key(job.pod);
      if (failed.has(k)) return true;
      if (tryPlace(job)) return false;
      failed.add(k);
      return true;
    });
  };

  let next = 0;
  const jobs = options.jobs;
  for (;;) {
    const arrival = jobs[next]?.arriveS ?? Infinity;
    const departure = departures.peek()?.t ?? Infinity;
    if (Math.min(arrival, departure) >= options.endS) break;
    if (departure <= arrival) {
      advance(departure);
      while ((departures.peek()?.t ?? Infinity) === departure) {
        const d = departures.pop()!;
        const node = nodes[d.node]!;
        const before = emptyGpus(node);
        removePod(node, d.pod, d.gpus);
        freeGpus += emptyGpus(node) - before;
      }
      drainQueue();
    } else {
      advance(arrival);
      const job = jobs[next++]!;
      // The queued pods fit nowhere since the last departure: trying the new one alone keeps FIFO order.
      if (!tryPlace(job)) queue.push(job);
    }
  }
  advance(options.endS);
  const spanS = now - firstS;
  const waited = queue.reduce((s, job) => s + (options.endS - job.arriveS), queueS);
  const arrived = started + queue.length;
  return {
    started,
    neverStarted: queue.length,
    costUsd,
    gpuHours,
    meanQueueS: arrived > 0 ? waited / arrived : 0,
    unallocatedGpuPct: spanS > 0 && totalGpus > 0 ? (100 * freeGpuSeconds) / (totalGpus * spanS) : 0,
  };
}
