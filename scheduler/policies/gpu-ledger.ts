import { fitsNode, type NodeView } from '../cluster.ts';
import { nodeFragmentationMilli } from '../fragmentation.ts';
import { candidateGpuChoices, stateAfter, type PlacementPolicy, type PlacementScore } from '../policy.ts';
import { nodeRepeatFragmentationMilli } from '../repeat-fragmentation.ts';
import type { WorkloadShapes } from '../workload-shapes.ts';

/** Drops closer than this (milli-GPU) are ties: float noise must not pick the node. */
const TIE_MILLI = 1e-6;

const fragmentation = (cpuLeftMilli: number, gpuFreeMilli: readonly number[], node: NodeView, w: WorkloadShapes) =>
  nodeFragmentationMilli(cpuLeftMilli, gpuFreeMilli, node.spec.gpuModel, w) +
  nodeRepeatFragmentationMilli(cpuLeftMilli, gpuFreeMilli, node.spec.gpuModel, w);

/**
 * GPU Ledger's policy: FGD's gradient descent on a fragmentation that adds, to FGD's one-more-pod
 * measure F_n(M), what a stream of each shape could not use, F*_n(M) (../repeat-fragmentation.ts):
 * a placement that starves a node's free GPUs of CPU, or leaves a GPU share that only one pod of a
 * popular size can use, costs what it will cost, while F_n(M) still guards the empty nodes the
 * multi-GPU shapes need. Same foresight as FGD: the trace's pod-shape frequencies only. The score is
 * the drop itself (continuous; equal drops are ties, left to the caller's tie-break).
 */
export const gpuLedgerPolicy: PlacementPolicy = {
  id: 'gpu-ledger',
  shapeSet: 'all',
  description: 'gradient descent on one-pod + repeat-arrival fragmentation (CPU-aware), continuous score',
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
