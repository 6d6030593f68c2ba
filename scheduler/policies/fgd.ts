import { fitsNode } from '../cluster.ts';
import { nodeFragmentationMilli } from '../fragmentation.ts';
import {
  candidateGpuChoices,
  MAX_NODE_SCORE,
  stateAfter,
  type PlacementPolicy,
  type PlacementScore,
} from '../policy.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** FGD's score of a fragmentation drop (milli-GPU): `floor(sigmoid(Δ / 1000) · 100)`, kube-scheduler's 0..100. */
export const fgdScoreOf = (dropMilli: number): number => Math.floor(sigmoid(dropMilli / 1000) * MAX_NODE_SCORE);

/**
 * FGD, Fragmentation Gradient Descent (Weng et al., ATC '23, §4): place the pod where the node's
 * fragmentation against the workload, F_n(M), grows least (falls most). As in the paper's simulator,
 * the drop Δ is scored {@link fgdScoreOf}, an integer; nodes with the same score are ties, broken at
 * random by the caller. A sharing pod tries each GPU and keeps the best (the lowest index on equal
 * scores).
 */
export const fgdPolicy: PlacementPolicy = {
  id: 'fgd',
  shapeSet: 'typical',
  description: 'fragmentation gradient descent: least growth of F_n(M), integer sigmoid score',
  score(node, pod, workload) {
    if (!fitsNode(node, pod)) return null;
    const model = node.spec.gpuModel;
    const before = nodeFragmentationMilli(node.cpuLeftMilli, node.gpuFreeMilli, model, workload);
    let best: PlacementScore | null = null;
    for (const gpuIndexes of candidateGpuChoices(node, pod)) {
      const after = stateAfter(node, pod, gpuIndexes);
      const score = fgdScoreOf(
        before - nodeFragmentationMilli(after.cpuLeftMilli, after.gpuFreeMilli, model, workload),
      );
      if (!best || score > best.score) best = { score, gpuChoices: [gpuIndexes] };
    }
    return best;
  },
};
