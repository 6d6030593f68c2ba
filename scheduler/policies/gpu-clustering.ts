import { fitsNode } from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';
import { defaultGpuChoice } from './random.ts';

/**
 * GPU clustering (Weng et al. §6.1): pods with the same per-GPU request go together. A node whose GPU
 * pods all ask what this pod asks scores highest, a node already hosting other requests next, an
 * empty node last (so new nodes are opened only when no used node fits); ties at random. CPU-only
 * pods score the same everywhere.
 */
export const gpuClusteringPolicy: PlacementPolicy = {
  id: 'gpu-clustering',
  description: 'nodes hosting only pods of the same GPU request, then other used nodes, then empty ones',
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    const gpuChoices = defaultGpuChoice(node, pod);
    if (pod.gpuCount === 0) return { score: 0, gpuChoices };
    const kinds = node.hostedGpuMilli.size;
    const score = kinds === 0 ? 0 : kinds === 1 && node.hostedGpuMilli.has(pod.gpuMilli) ? 2 : 1;
    return { score, gpuChoices };
  },
};
