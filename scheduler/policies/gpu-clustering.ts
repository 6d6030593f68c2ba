import { fitsNode, freeGpuMilli, gpuAffinityTag, type NodeView, type PodRequest } from '../cluster.ts';
import { MAX_NODE_SCORE, MAX_SPEC_GPU_MILLI, type PlacementPolicy } from '../policy.ts';
import { defaultGpuChoice } from './random.ts';

const QUARTER = MAX_NODE_SCORE / 4;

/**
 * GPU clustering, as the FGD authors' simulator scores it (kubernetes-scheduler-simulator,
 * `pkg/simulator/plugin/gpu_clustering_score.go`), in integer arithmetic like Go's. Pods are grouped by
 * kind ({@link gpuAffinityTag}: every sharing pod is `share-gpu`, a whole-GPU pod `<count>-gpu`):
 * - a CPU-only pod: 0 on every node (all ties, so a random feasible node);
 * - a node hosting only this pod's kind: 75 + b; hosting it among others: 50 + b; hosting no GPU pod:
 *   25 + b; hosting only other kinds: b, with b = ⌊25 · (8000 − free GPU milli) / 8000⌋ (fuller first).
 * The pod then takes the best-fit GPU (the simulator's default `gpuSelMethod: best`).
 */
export const gpuClusteringPolicy: PlacementPolicy = {
  id: 'gpu-clustering',
  description: 'nodes hosting only pods of the same GPU kind, then mixed ones, then idle, then other kinds',
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    return { score: clusteringScore(node, pod), gpuChoices: defaultGpuChoice(node, pod) };
  },
};

/** The plugin's score for a pod that fits the node. */
export function clusteringScore(node: NodeView, pod: PodRequest): number {
  if (pod.gpuCount === 0) return 0;
  const kinds = node.hostedGpuKinds;
  const fullness = Math.trunc((QUARTER * (MAX_SPEC_GPU_MILLI - freeGpuMilli(node))) / MAX_SPEC_GPU_MILLI);
  if (kinds.has(gpuAffinityTag(pod))) return fullness + (kinds.size === 1 ? 3 * QUARTER : 2 * QUARTER);
  return fullness + (kinds.size === 0 ? QUARTER : 0);
}
