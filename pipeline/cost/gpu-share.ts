/**
 * How many GPUs a request holds (its "share"), and adapters from the sharing schemes in the field to
 * the contract's GpuRequest:
 * - whole `nvidia.com/gpu: k` → k;
 * - fraction (time-slicing / MPS replicas, HAMi, the Alibaba trace's gpu_milli) → milli / 1000 of ONE GPU;
 * - MIG `nvidia.com/mig-<profile>: n` → n × migShare(profile) (compute-slice rule, mig-profiles.ts);
 * - none → 0.
 */
import type { GpuRequest } from '../../contracts/pod-event.ts';
import { migShare } from './mig-profiles.ts';

/** GPUs held by `request` on a node whose GPUs are of canonical model `gpuModel`. Throws MigProfileError for a bad MIG profile. */
export const requestShare = (request: GpuRequest, gpuModel: string): number => {
  switch (request.kind) {
    case 'none':
      return 0;
    case 'whole':
      return request.count;
    case 'fraction':
      return request.milli / 1000;
    case 'mig':
      return request.count * migShare(gpuModel, request.profile);
  }
};

const fraction = (milli: number): GpuRequest =>
  milli >= 1000 ? { kind: 'whole', count: 1 } : { kind: 'fraction', milli: Math.max(1, Math.round(milli)) };

/**
 * Alibaba GPU trace (openb) request: `num_gpu` GPUs, `gpu_milli` per GPU (sharing only with num_gpu = 1).
 * A multi-GPU row always has gpu_milli 1000 in the trace; it is billed as num_gpu whole GPUs.
 */
export const traceGpuRequest = (numGpu: number, gpuMilli: number): GpuRequest => {
  if (numGpu <= 0) return { kind: 'none' };
  if (numGpu === 1) return fraction(gpuMilli);
  return { kind: 'whole', count: numGpu };
};

/**
 * NVIDIA device-plugin time-slicing / MPS: one `nvidia.com/gpu` of a GPU advertised as `replicas`
 * replicas holds 1/replicas of it (rounded to the milli; 3 replicas → 333, the 0.001 left is idle).
 */
export const timeSlicingRequest = (replicas: number): GpuRequest => {
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new RangeError(`time-slicing replicas must be an integer ≥ 1, got ${replicas}`);
  return fraction(1000 / replicas);
};

/** HAMi vGPU request for ONE GPU: `nvidia.com/gpucores` (percent of SMs) and `nvidia.com/gpumem` (bytes here). */
export interface HamiRequest {
  readonly gpucoresPct?: number | null;
  readonly gpumemBytes?: number | null;
  /** Memory of the GPU the pod landed on, to turn gpumem into a share. */
  readonly gpuMemoryTotalBytes: number;
}

/**
 * HAMi share = the larger of the core share and the memory share: a pod that reserves 20% of the
 * cores but 60% of the memory keeps others off 60% of the GPU. Neither limit set = the whole GPU
 * (HAMi then gives the container the full device).
 */
export const hamiRequest = (r: HamiRequest): GpuRequest => {
  const cores = r.gpucoresPct ?? null;
  const mem = r.gpumemBytes ?? null;
  if ((cores === null || cores <= 0) && (mem === null || mem <= 0)) return { kind: 'whole', count: 1 };
  const coreShare = cores === null ? 0 : Math.min(1, cores / 100);
  const memShare = mem === null || r.gpuMemoryTotalBytes <= 0 ? 0 : Math.min(1, mem / r.gpuMemoryTotalBytes);
  const request = fraction(Math.max(coreShare, memShare) * 1000);
  return request.kind === 'fraction' && mem !== null ? { ...request, memoryBytes: Math.round(mem) } : request;
};
