import { fitsNode, freeGpuMilli } from '../cluster.ts';
import { MAX_NODE_SCORE, MAX_SPEC_CPU_MILLI, MAX_SPEC_GPU_MILLI, type PlacementPolicy } from '../policy.ts';
import { defaultGpuChoice } from './random.ts';

/**
 * Best-fit, as the FGD authors' simulator scores it (kubernetes-scheduler-simulator,
 * `pkg/simulator/plugin/best_fit_score.go`): the CPU and GPU the node has left after the placement,
 * each over the largest node's (128 cores, 8 GPUs), weighted ½ each, scored
 * `int64((1 − left) · 100)` (higher wins). Memory is not a dimension. Its min-max NormalizeScore keeps
 * the order, so it is left out. The pod takes the best-fit GPU.
 */
export const bestFitPolicy: PlacementPolicy = {
  id: 'best-fit',
  description: 'least CPU+GPU left after the placement (over the largest node), integer score',
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    const cpuLeft = (node.cpuLeftMilli - pod.cpuMilli) / MAX_SPEC_CPU_MILLI;
    const gpuLeft = (freeGpuMilli(node) - pod.gpuCount * pod.gpuMilli) / MAX_SPEC_GPU_MILLI;
    const score = Math.trunc((1 - (cpuLeft * 0.5 + gpuLeft * 0.5)) * MAX_NODE_SCORE);
    return { score, gpuChoices: defaultGpuChoice(node, pod) };
  },
};
