import { fitsNode, type NodeView } from '../cluster.ts';
import { nodeFragmentationMilli } from '../fragmentation.ts';
import { candidateGpuChoices, stateAfter, type PlacementPolicy, type PlacementScore } from '../policy.ts';
import { nodeRepeatFragmentationMilli } from '../repeat-fragmentation.ts';
import { multiGpuDemandShare, shapesRunnableOn, type WorkloadShapes } from '../workload-shapes.ts';

/** Drops closer than this (milli-GPU) are ties: float noise must not pick the node. */
const TIE_MILLI = 1e-6;

/** What gpu-ledger reads of a workload: F*'s weight, and the workload each GPU model sees. */
interface LedgerView {
  readonly repeatWeight: number;
  readonly byModel: Map<string, WorkloadShapes>;
}

/** Derived once per workload (a pure function of it: a cache, not state). */
const views = new WeakMap<WorkloadShapes, LedgerView>();

/**
 * F*'s weight: the share of the workload's GPU demand that single-GPU shapes (whole and sharing)
 * ask, the shapes whose waste F* sees and F does not. On a trace of mostly multi-GPU demand it fades,
 * and F's protection of the empty nodes those shapes need decides.
 */
export const repeatWeightOf = (workload: WorkloadShapes): number => 1 - multiGpuDemandShare(workload);

function viewOf(workload: WorkloadShapes): LedgerView {
  let view = views.get(workload);
  if (!view) {
    view = { repeatWeight: repeatWeightOf(workload), byModel: new Map() };
    views.set(workload, view);
  }
  return view;
}

/**
 * F_n(M) + w · F*_n(M) over the shapes that can run on the node's GPU model: a shape pinned to another
 * model is no demand for this node's GPUs, so it counts nothing here (FGD counts every free milli of
 * the node as fragmented for it).
 */
export function ledgerFragmentationMilli(
  cpuLeftMilli: number,
  gpuFreeMilli: readonly number[],
  gpuModel: string,
  workload: WorkloadShapes,
): number {
  const view = viewOf(workload);
  let runnable = view.byModel.get(gpuModel);
  if (!runnable) {
    runnable = shapesRunnableOn(workload, gpuModel);
    view.byModel.set(gpuModel, runnable);
  }
  return (
    nodeFragmentationMilli(cpuLeftMilli, gpuFreeMilli, gpuModel, runnable) +
    view.repeatWeight * nodeRepeatFragmentationMilli(cpuLeftMilli, gpuFreeMilli, gpuModel, runnable)
  );
}

const fragmentation = (cpuLeftMilli: number, gpuFreeMilli: readonly number[], node: NodeView, w: WorkloadShapes) =>
  ledgerFragmentationMilli(cpuLeftMilli, gpuFreeMilli, node.spec.gpuModel, w);

/**
 * GPU Ledger's policy: FGD's gradient descent on a fragmentation that adds, to FGD's one-more-pod
 * measure F_n(M), what a stream of each shape could not use, F*_n(M) (../repeat-fragmentation.ts):
 * a placement that starves a node's free GPUs of CPU, or leaves a GPU share that only one pod of a
 * popular size can use, costs what it will cost, while F_n(M) still guards the empty nodes the
 * multi-GPU shapes need. F* is weighted by the single-GPU shapes' share of the GPU demand
 * ({@link repeatWeightOf}), and both measures read only the shapes that can run on the node's GPU
 * model ({@link ledgerFragmentationMilli}). Same foresight as FGD: the trace's pod-shape frequencies
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
