import { firstFreeGpus, isSharingPod, type NodeView, type PodRequest } from './cluster.ts';
import type { ShapeSet, WorkloadShapes } from './workload-shapes.ts';

/**
 * A policy's verdict on one node for one pod: its score (higher wins) and the GPUs the pod would take,
 * as one or more equally good choices (the caller picks one at random: Random's random GPU).
 */
export interface PlacementScore {
  readonly score: number;
  readonly gpuChoices: readonly (readonly number[])[];
}

/**
 * A placement policy: scores one candidate node for one pod. Pure (no clock, no randomness, no I/O):
 * the same node state, pod and workload give the same score, so the scheduler extender calls the very
 * same function per decision, and the simulator may cache a node's score until the node changes. The
 * caller keeps the nodes with the highest score and picks one of them at random (as kube-scheduler's
 * selectHost does), then one of the node's GPU choices at random.
 */
export interface PlacementPolicy {
  readonly id: string;
  readonly description: string;
  /**
   * The policy itself picks uniformly at random among its best nodes (Random: the authors' RandomScore
   * plugin gives one random feasible node the top score), whatever the scheduler's {@link TieBreak}.
   */
  readonly randomAmongBest?: boolean;
  /**
   * Which of the trace's shapes its workload measure reads (scheduler/workload-shapes.ts), for the
   * policies that read one: FGD the Go simulator's typical pods, gpu-ledger every shape.
   */
  readonly shapeSet?: ShapeSet;
  /** `null` when the pod does not fit the node. */
  score(node: NodeView, pod: PodRequest, workload: WorkloadShapes): PlacementScore | null;
}

/**
 * How the scheduler picks among nodes with the same highest score: `name`, the lexicographically
 * smallest node name (the FGD authors' simulator patches kube-scheduler's selectHost so, "for
 * reproducibility"); `random`, uniformly (stock kube-scheduler's selectHost).
 */
export type TieBreak = 'name' | 'random';
export const TIE_BREAKS: readonly TieBreak[] = ['name', 'random'];

/** Kubernetes' node score range: policies that score like the paper's plugins map into 0..100. */
export const MAX_NODE_SCORE = 100;

/**
 * The FGD authors' simulator normalises node resources by the largest node's (`MaxSpecCpu`,
 * `MaxSpecGpu`: 128 cores, 8 GPUs), not by each node's own capacity.
 */
export const MAX_SPEC_CPU_MILLI = 128_000;
export const MAX_SPEC_GPU_MILLI = 8000;

/**
 * The distinct GPU choices for a pod on a node that fits it: for a sharing pod one GPU per distinct
 * free amount (the lowest index of each: GPUs with the same free amount are interchangeable), for a
 * whole-GPU pod the first completely free GPUs, for a CPU-only pod none.
 */
export function candidateGpuChoices(node: NodeView, pod: PodRequest): number[][] {
  if (!isSharingPod(pod)) return [firstFreeGpus(node, pod)];
  const seen = new Set<number>();
  const choices: number[][] = [];
  node.gpuFreeMilli.forEach((free, i) => {
    if (free >= pod.gpuMilli && !seen.has(free)) {
      seen.add(free);
      choices.push([i]);
    }
  });
  return choices;
}

/** The node's state after the pod takes `gpuIndexes`: free CPU and per-GPU free milli. */
export function stateAfter(
  node: NodeView,
  pod: PodRequest,
  gpuIndexes: readonly number[],
): { cpuLeftMilli: number; gpuFreeMilli: number[] } {
  const gpuFreeMilli = [...node.gpuFreeMilli];
  for (const g of gpuIndexes) gpuFreeMilli[g] = (gpuFreeMilli[g] ?? 0) - pod.gpuMilli;
  return { cpuLeftMilli: node.cpuLeftMilli - pod.cpuMilli, gpuFreeMilli };
}
