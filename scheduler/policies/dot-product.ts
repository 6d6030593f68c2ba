import { fitsNode, freeGpuMilli } from '../cluster.ts';
import { MAX_NODE_SCORE, MAX_SPEC_CPU_MILLI, MAX_SPEC_GPU_MILLI, type PlacementPolicy } from '../policy.ts';
import { defaultGpuChoice } from './random.ts';

/**
 * Dot-product, as the FGD authors' simulator runs it (kubernetes-scheduler-simulator,
 * `pkg/simulator/plugin/dot_product_score.go` with `dimExtMethod: merge`, `normMethod: max`): the dot
 * product of the pod's request and the node's free resources over CPU and GPU (the node's GPUs merged
 * into one dimension), each over the largest node's (128 cores, 8 GPUs), divided by the 2 dimensions;
 * scored `int64((1 − product) · 100)`, so the SMALLEST product wins. The pod takes the best-fit GPU.
 */
export const dotProductPolicy: PlacementPolicy = {
  id: 'dot-product',
  description: 'smallest dot product of request and free CPU, GPU (over the largest node), integer score',
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    const dot =
      (pod.cpuMilli / MAX_SPEC_CPU_MILLI) * (node.cpuLeftMilli / MAX_SPEC_CPU_MILLI) +
      ((pod.gpuCount * pod.gpuMilli) / MAX_SPEC_GPU_MILLI) * (freeGpuMilli(node) / MAX_SPEC_GPU_MILLI);
    return { score: Math.trunc((1 - dot / 2) * MAX_NODE_SCORE), gpuChoices: defaultGpuChoice(node, pod) };
  },
};
