import { bestFitGpu, fitsNode, GPU_MILLI, isSharingPod } from '../cluster.ts';
import type { PlacementPolicy } from '../policy.ts';
import { defaultGpuChoice } from './random.ts';

/**
 * GPU packing (Weng et al. §6.1): a sharing pod goes to an already occupied GPU first (the fullest
 * that fits), then to an idle GPU of an active node (one with any GPU allocated), and only then to
 * an idle node; whole-GPU and CPU-only pods prefer active nodes to idle ones. Three tiers; ties at
 * random.
 */
export const gpuPackingPolicy: PlacementPolicy = {
  id: 'gpu-packing',
  description: 'occupied GPUs, then idle GPUs of active nodes, then idle nodes',
  score(node, pod) {
    if (!fitsNode(node, pod)) return null;
    if (isSharingPod(pod)) {
      const occupied = node.gpuFreeMilli.map((free) => (free < GPU_MILLI ? free : -1));
      const onOccupied = bestFitGpu({ ...node, gpuFreeMilli: occupied }, pod.gpuMilli);
      if (onOccupied >= 0) return { score: 2, gpuChoices: [[onOccupied]] };
    }
    const active = node.gpuFreeMilli.some((free) => free < GPU_MILLI);
    return { score: active ? 1 : 0, gpuChoices: defaultGpuChoice(node, pod) };
  },
};
