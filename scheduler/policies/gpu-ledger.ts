import { fitsNode, type NodeView } from '../cluster.ts';
import { nodeFragmentationMilli } from '../fragmentation.ts';
import { candidateGpuChoices, stateAfter, type PlacementPolicy, type PlacementScore } from '../policy.ts';
import { nodeRepeatFragmentationMilli } from '../repeat-fragmentation.ts';
import {
  multiGpuDemandShare,
  toWorkloadShapes,
  withPopularity,
  workloadSeenBy,
  type WorkloadShapes,
} from '../workload-shapes.ts';

/** Drops closer than this (milli-GPU) are ties: float noise must not pick the node. */
const TIE_MILLI = 1e-6;

/** The workloads a node of one GPU model is measured against: F's, and F*'s (reweighted). */
interface ModelWorkloads {
  readonly oneMore: WorkloadShapes;
  readonly repeat: WorkloadShapes;
}

/** Derived once per (workload, GPU model): a pure function of them, a cache and not state. */
const derived = new WeakMap<WorkloadShapes, Map<string, ModelWorkloads>>();

/**
 * The weight of the single-GPU shapes' F* terms: the share of the workload's GPU demand that is not
 * multi-GPU. F*'s repeat waste of whole and sharing single-GPU shapes is what F does not see, and
 * what (larger in magnitude than F) drowns F's protection of the empty nodes multi-GPU shapes need:
 * on a trace of mostly multi-GPU demand it fades. The multi-GPU shapes' own F* terms keep full weight.
 */
export const repeatWeightOf = (workload: WorkloadShapes): number => 1 - multiGpuDemandShare(workload);

function workloadsFor(workload: WorkloadShapes, gpuModel: string): ModelWorkloads {
  let byModel = derived.get(workload);
  if (!byModel) {
    byModel = new Map();
    derived.set(workload, byModel);
  }
  let found = byModel.get(gpuModel);
  if (!found) {
    const weight = repeatWeightOf(workload);
    const oneMore = workloadSeenBy(workload, gpuModel);
    const repeat = toWorkloadShapes(
      oneMore.shapes.map((s) => (s.gpuCount > 1 ? s : withPopularity(s, s.popularity * weight))),
    );
    found = { oneMore, repeat };
    byModel.set(gpuModel, found);
  }
  return found;
}

/**
 * gpu-ledger's fragmentation of a node: F_n(M) + F*_n(M'), both against the workload as the node's GPU
 * model sees it ({@link workloadSeenBy}: a shape pinned to another model is no demand for this node's
 * GPUs and counts nothing, where FGD counts every free milli of the node as fragmented for it; the
 * shapes pinned to this model carry the whole pinned popularity), M' being that workload with every
 * shape but the multi-GPU ones weighted by {@link repeatWeightOf}.
 */
export function ledgerFragmentationMilli(
  cpuLeftMilli: number,
  gpuFreeMilli: readonly number[],
  gpuModel: string,
  workload: WorkloadShapes,
): number {
  const { oneMore, repeat } = workloadsFor(workload, gpuModel);
  return (
    nodeFragmentationMilli(cpuLeftMilli, gpuFreeMilli, gpuModel, oneMore) +
    nodeRepeatFragmentationMilli(cpuLeftMilli, gpuFreeMilli, gpuModel, repeat)
  );
}

const fragmentation = (cpuLeftMilli: number, gpuFreeMilli: readonly number[], node: NodeView, w: WorkloadShapes) =>
  ledgerFragmentationMilli(cpuLeftMilli, gpuFreeMilli, node.spec.gpuModel, w);

/**
 * GPU Ledger's policy: FGD's gradient descent on a fragmentation that adds, to FGD's one-more-pod
 * measure F_n(M), what a stream of each shape could not use, F*_n(M) (../repeat-fragmentation.ts):
 * a placement that starves a node's free GPUs of CPU, or leaves a GPU share that only one pod of a
 * popular size can use, costs what it will cost, while F_n(M) still guards the empty nodes the
 * multi-GPU shapes need. F*'s terms but the multi-GPU shapes' are weighted by the single-GPU shapes'
 * share of the GPU demand ({@link repeatWeightOf}), and both measures read the workload as the node's GPU
 * model sees it ({@link ledgerFragmentationMilli}). Same foresight as FGD: the trace's pod-shape frequencies
 * only. The score is the drop itself (continuous; equal drops are ties, left to the caller's
 * tie-break). docs/scheduler-fidelity.md has the figures and what was tried.
 */
export const gpuLedgerPolicy: PlacementPolicy = {
  id: 'gpu-ledger',
  shapeSet: 'all',
  description:
    'gradient descent on one-pod + demand-weighted repeat-arrival fragmentation (CPU-aware, per GPU model), continuous score',
  score(node, pod, workload) {
    if (!fitsNode(node, pod)) return null;
    const before = fragmentation(node.cpuLeftMilli, node.gpuFreeMilli, node, workload);
    let best: PlacementScore | null = null;
    for (const gpuIndexes of candidateGpuChoices(node, pod)) {
      const after = stateAfter(node, pod, gpuIndexes);
      const drop = before - fragmentation(after.cpuLeftMilli, after.gpuFreeMilli, node, workload);
      const score = Math.round(drop / TIE_MILLI) * TIE_MILLI;
      if (!best || score > best.score) best = { score, gpuChoices: [gpuIndexes] };
    }
    return best;
  },
};
