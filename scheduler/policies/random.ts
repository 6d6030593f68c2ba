import { defaultGpus, firstFreeGpus, fitsNode, isSharingPod, type NodeView, type PodRequest } from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';

/** The one GPU choice of a policy without a GPU preference of its own ({@link defaultGpus}). */
export const defaultGpuChoice = (node: NodeView, pod: PodRequest): number[][] => [defaultGpus(node, pod)];

/**
 * Random: every node that fits scores the same and the policy asks the caller to pick among them
 * uniformly ({@link PlacementPolicy.randomAmongBest}: the authors' RandomScore plugin tops one random
 * feasible node); a sharing pod then takes any GPU with room, uniformly (their `gpuSelMethod: random`).
 */
export const randomPolicy: PlacementPolicy = {
  id: 'random',
  description: 'a feasible node, and for a sharing pod a GPU with room, uniformly at random',
  randomAmongBest: true,
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    if (!isSharingPod(pod)) return { score: 0, gpuChoices: [firstFreeGpus(node, pod)] };
    const withRoom = node.gpuFreeMilli.flatMap((free, i) => (free >= pod.gpuMilli ? [[i]] : []));
    return { score: 0, gpuChoices: withRoom };
  },
};
