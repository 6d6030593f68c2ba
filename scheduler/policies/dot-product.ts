import { fitsNode, freeGpuMilli, GPU_MILLI } from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';
import { defaultGpuChoice } from './random.ts';

/**
 * Dot-product (Tetris-style alignment, Weng et al. §6.1): the dot product of the pod's request and
 * the node's free resources over CPU, memory and GPU (the node's GPUs merged into one dimension),
 * each normalised by the node's capacity; the SMALLEST product wins: the node whose free resources
 * the pod's request meets most tightly.
 */
export const dotProductPolicy: PlacementPolicy = {
  id: 'dot-product',
  description: 'smallest dot product of request and free CPU, memory, GPU (normalised by node capacity)',
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    const { cpuMilli, memoryMib } = node.spec;
    const gpuCap = node.spec.gpuCount * GPU_MILLI;
    const dot =
      (pod.cpuMilli / cpuMilli) * (node.cpuLeftMilli / cpuMilli) +
      (pod.memoryMib / memoryMib) * (node.memoryLeftMib / memoryMib) +
      ((pod.gpuCount * pod.gpuMilli) / gpuCap) * (freeGpuMilli(node) / gpuCap);
    return { score: -dot, gpuChoices: defaultGpuChoice(node, pod) };
  },
};
