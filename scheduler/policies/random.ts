import { bestFitGpu, firstFreeGpus, fitsNode, isSharingPod, type NodeView, type PodRequest } from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';

/**
 * The GPUs a pod takes on a node a policy chose without a GPU preference of its own: the best-fit GPU
 * for a sharing pod (open-gpu-share's choice), the first completely free GPUs otherwise.
 */
export const defaultGpuChoice = (node: NodeView, pod: PodRequest): number[][] => [
  isSharingPod(pod) ? [bestFitGpu(node, pod.gpuMilli)] : firstFreeGpus(node, pod),
];

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
