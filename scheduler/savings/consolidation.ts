/**
 * The recommender's consolidate kind, adopted in the replay (pure): which powered nodes to drain now.
 * Calls the recommender itself (../recommender/consolidate.ts) on snapshots of the nodes, then, as
 * cluster-autoscaler simulates rescheduling before it removes a node, keeps a candidate only when every
 * pod of it fits, CPU and memory included, on the nodes still kept (first fit, largest pod first).
 */
import { defaultGpus, fitsNode, isSharingPod, placePod, type NodeState, type PodRequest } from '../cluster.ts';
import { consolidate } from '../recommender/consolidate.ts';
import { DEFAULT_RECOMMENDER_CONFIG } from '../recommender/recommender-config.ts';
import type { NodeSnapshot, RecommenderInput } from '../recommender/types.ts';

export interface RunningPod {
  readonly id: number;
  readonly pod: PodRequest;
  /** It can be restarted on another node without losing its work (a serving replica). */
  readonly movable: boolean;
}

const clone = (n: NodeState): NodeState => ({
  ...n,
  gpuFreeMilli: [...n.gpuFreeMilli],
  hostedGpuKinds: new Map(n.hostedGpuKinds),
});

/**
 * Indexes of the `eligible` nodes (powered, taking pods) to drain: recommended by consolidate, taken by
 * `adopt()` (drawn once per candidate), and whose pods the kept nodes can hold.
 */
export function nodesToDrain(
  nodes: readonly NodeState[],
  running: readonly (readonly RunningPod[])[],
  eligible: readonly boolean[],
  usdPerGpuHour: (gpuModel: string) => number,
  adopt: () => boolean,
): number[] {
  const snapshots: NodeSnapshot[] = [];
  nodes.forEach((n, i) => {
    // An empty node goes down on its own (the autoscaler's idle delay).
    if (!eligible[i] || (running[i]?.length ?? 0) === 0) return;
    snapshots.push({
      cluster: 'sim',
      node: String(i),
      gpuModel: n.spec.gpuModel,
      pricingTier: 'on-demand',
      priceUsdPerGpuHour: usdPerGpuHour(n.spec.gpuModel),
      freeMilli: n.gpuFreeMilli,
      pods: running[i]!.map((r) => ({
        podUid: String(r.id),
        namespace: 'sim',
        pod: r.pod.name,
        gpuRequest: isSharingPod(r.pod)
          ? { kind: 'fraction', milli: r.pod.gpuMilli }
          : { kind: 'whole', count: r.pod.gpuCount },
        share: (r.pod.gpuCount * r.pod.gpuMilli) / 1000,
        movable: r.movable,
      })),
      idleShare: 0,
      observedHours: 1,
    });
  });
  const input = { nowMs: 0, workloads: [], nodes: snapshots, models: [], config: DEFAULT_RECOMMENDER_CONFIG };
  const candidates = consolidate.compute(input as unknown as RecommenderInput).map((c) => Number(c.target.node));
  const kept = new Map(nodes.flatMap((n, i) => (eligible[i] ? [[i, clone(n)] as const] : [])));
  const drained: number[] = [];
  const received = new Set<number>();
  for (const i of candidates) {
    if (received.has(i) || !adopt()) continue;
    const trial = new Map([...kept].filter(([j]) => j !== i).map(([j, n]) => [j, clone(n)] as const));
    const pods = [...running[i]!].sort((a, b) => b.pod.gpuCount * b.pod.gpuMilli - a.pod.gpuCount * a.pod.gpuMilli);
    const receivers: number[] = [];
    const fitsAll = pods.every((r) => {
      const target = [...trial].find(([, n]) => fitsNode(n, r.pod));
      if (target) {
        placePod(target[1], r.pod, defaultGpus(target[1], r.pod));
        receivers.push(target[0]);
      }
      return target !== undefined;
    });
    if (!fitsAll) continue;
    trial.forEach((n, j) => kept.set(j, n));
    for (const j of receivers) received.add(j);
    kept.delete(i);
    drained.push(i);
  }
  return drained;
}
