/**
 * Pure: the GPU devices a pod was given, where a scheduler writes them into the pod's annotations.
 *
 * Supported: HAMi's `hami.io/vgpu-devices-allocated` (set by the HAMi scheduler at bind time):
 * containers separated by `;`, devices by `:`, each device `UUID,Type,MemoryMiB,CoresPct`, e.g.
 * `GPU-0fc3eda5-e98b-a25b-5b0d-cf5c855d1448,NVIDIA,3000,30:;`.
 * Not available from the API for the stock NVIDIA device plugin (whole GPUs, MIG, time-slicing):
 * it records no devices on the Pod; the kubelet's pod-resources socket is the source there
 * (see shared/docs/telemetry-notes.md §4), so `gpuUuids` stays empty for those pods.
 */
export const HAMI_ALLOCATED_ANNOTATION = 'hami.io/vgpu-devices-allocated';

/** Device UUIDs (`GPU-…` / `MIG-…`) named in the annotations, in order, without duplicates. */
export function gpuUuidsOf(annotations: Readonly<Record<string, string>>): string[] {
  const value = annotations[HAMI_ALLOCATED_ANNOTATION];
  if (!value) return [];
  const uuids = value
    .split(';')
    .flatMap((container) => container.split(':'))
    .map((device) => device.split(',')[0]?.trim() ?? '')
    .filter((id) => /^(GPU|MIG)-[0-9A-Za-z-]+$/.test(id));
  return [...new Set(uuids)];
}
