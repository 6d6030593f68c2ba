import { fitsNode, GPU_MILLI, type NodeView, type PodRequest } from '../cluster.ts';
import { MAX_NODE_SCORE, type PlacementPolicy } from '../policy.ts';
import { defaultGpuChoice } from './random.ts';

/**
 * GPU packing, as the FGD authors' simulator scores it (kubernetes-scheduler-simulator,
 * `pkg/simulator/plugin/gpu_packing_score.go`, `getPackingScore`), in integer arithmetic like Go's:
 * - a CPU-only pod: 0 on every node (all ties, so a random feasible node);
 * - a node whose GPUs are all free: `max(100/3 − free GPUs, free GPUs)` (33 − n: smaller idle nodes first);
 * - otherwise the pod takes the fitting GPUs with the least free first; if some of them are
 *   completely free: `max(100/2 − those, 100/3)`;
 * - else (only shared GPUs): `max(100 − Σ ⌊free·100/1000⌋ / 10, 100/2)` (fuller GPUs score higher).
 * The pod then takes the best-fit GPU (the simulator's default `gpuSelMethod: best`).
 */
export const gpuPackingPolicy: PlacementPolicy = {
  id: 'gpu-packing',
  description: 'shared GPUs (fullest first), then free GPUs of used nodes, then idle nodes (smallest first)',
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    return { score: packingScore(node, pod), gpuChoices: defaultGpuChoice(node, pod) };
  },
};

const idiv = (a: number, b: number) => Math.trunc(a / b);

/** `getPackingScore` for a pod that fits the node. */
export function packingScore(node: NodeView, pod: PodRequest): number {
  if (pod.gpuCount === 0) return 0;
  const free = node.gpuFreeMilli;
  const fullyFree = free.filter((f) => f === GPU_MILLI).length;
  if (fullyFree === free.length) return Math.max(idiv(MAX_NODE_SCORE, 3) - fullyFree, fullyFree);
  const leastFreeFirst = free.map((_, i) => i).sort((a, b) => free[a]! - free[b]! || a - b);
  const used = leastFreeFirst.filter((i) => free[i]! >= pod.gpuMilli).slice(0, pod.gpuCount);
  const fullyFreeUsed = used.filter((i) => free[i] === GPU_MILLI).length;
  if (fullyFreeUsed > 0) return Math.max(idiv(MAX_NODE_SCORE, 2) - fullyFreeUsed, idiv(MAX_NODE_SCORE, 3));
  const freePercent = used.reduce((sum, i) => sum + idiv(free[i]! * 100, GPU_MILLI), 0);
  return Math.max(MAX_NODE_SCORE - idiv(freePercent, 10), idiv(MAX_NODE_SCORE, 2));
}
