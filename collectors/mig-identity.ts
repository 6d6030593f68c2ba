/**
 * The identity of a MIG instance when the source prints no MIG UUID (nvidia-smi's XML before
 * R470-era `-L`, and dcgm-exporter, which names instances by parent UUID + GPU_I_ID): the R450
 * driver's own form, `MIG-GPU-<parent uuid>/<gpu instance>/<compute instance>`. Both sources produce
 * the same string for the same instance, and it never collides with the parent's `GPU-…` UUID, so
 * the store's sample identity keeps instances apart.
 */
export const migInstanceUuid = (
  parentGpuUuid: string,
  gpuInstanceId: number,
  computeInstanceId: number | null,
): string => `MIG-${parentGpuUuid}/${gpuInstanceId}/${computeInstanceId ?? 0}`;
