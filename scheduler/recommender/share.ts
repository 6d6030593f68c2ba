/**
 * SHARE: a workload on one whole GPU (or a fraction of one) that needs less. Its need: compute
 * c = p95 utilization / target utilization (a share of the GPU), memory m = peak × (1 + headroom).
 * - On a MIG-capable model (A100, H100, H200, A30): the smallest MIG profile with share ≥ c and
 *   memory ≥ m (mig-fit.ts), e.g. `1g.10gb`;
 * - else, or when no profile fits: gpu_milli = max(c, m / GPU memory) × 1000 rounded up to milliStep
 *   (time-slicing, MPS, HAMi).
 * Recommended when that share is below the current one; saving = the GPU-hours × (1 − new/current).
 * Both alternatives are in the evidence (`migProfile`, `gpuMilli`).
 */
import type { GpuRequest } from '../../contracts/pod-event.ts';
import { requestShare } from '../../pipeline/cost/gpu-share.ts';
import type { Recommender } from './types.ts';
import { gib, isIdle, observedEnough, pct, shapeOf, usageEvidence, workloadTarget } from './candidate-parts.ts';
import { confidenceOf, monthlySavingUsd } from './estimate.ts';
import { smallestMigProfile } from './mig-fit.ts';

export const share: Recommender = {
  kind: 'share',
  compute({ workloads, config }) {
    return workloads.flatMap((w) => {
      const r = w.gpuRequest;
      const p95 = w.usage.utilizationP95Pct;
      if (!((r.kind === 'whole' && r.count === 1) || r.kind === 'fraction')) return [];
      if (!observedEnough(w, config) || isIdle(w, config) || p95 === null || w.gpuMemoryBytes === null) return [];
      const computeShare = p95 / config.targetUtilizationPct;
      const memoryBytes = Math.ceil(w.usage.memoryPeakBytes * (1 + config.memoryHeadroom));
      const mig = smallestMigProfile(w.gpuModel, computeShare, memoryBytes);
      const step = config.milliStep;
      const milli = Math.ceil((Math.max(computeShare, memoryBytes / w.gpuMemoryBytes) * 1000) / step) * step;
      const current = requestShare(r, w.gpuModel);
      const recommended: { request: GpuRequest; share: number } | null = mig
        ? { request: { kind: 'mig', profile: mig.profile, count: 1 }, share: mig.share }
        : milli < 1000
          ? { request: { kind: 'fraction', milli }, share: milli / 1000 }
          : null;
      if (recommended === null || recommended.share >= current) return [];
      const saving = monthlySavingUsd({
        currentGpuHours: w.allocatedGpuHours,
        currentUsdPerGpuHour: w.priceUsdPerGpuHour,
        recommendedGpuHours: (w.allocatedGpuHours * recommended.share) / current,
        recommendedUsdPerGpuHour: w.priceUsdPerGpuHour,
        observedHours: w.observedHours,
      });
      const offeredMemory = mig ? mig.memoryBytes : recommended.share * w.gpuMemoryBytes;
      const margin = 1 - Math.max(computeShare / recommended.share, memoryBytes / offeredMemory);
      const slice = mig ? `a ${mig.profile} slice` : `${milli} milli-GPU`;
      return [
        {
          kind: 'share' as const,
          target: workloadTarget(w),
          current: shapeOf(w.gpuModel, r),
          recommended: shapeOf(w.gpuModel, recommended.request),
          evidence: {
            ...usageEvidence(w),
            gpuMemoryBytes: w.gpuMemoryBytes,
            computeShareNeeded: Math.round(computeShare * 1000) / 1000,
            memoryNeededBytes: memoryBytes,
            ...(mig ? { migProfile: mig.profile, migMemoryBytes: mig.memoryBytes } : {}),
            ...(milli < 1000 ? { gpuMilli: milli } : {}),
          },
          estimatedMonthlySavingUsd: saving,
          confidence: confidenceOf({ observedHours: w.observedHours, minutes: w.usage.minutes, margin }, config),
          riskNote: `${slice} is ${pct(recommended.share * 100)} of the GPU with ${gib(offeredMemory)}: bursts above that (max seen ${pct(w.usage.utilizationMaxPct ?? 0)}, memory peak ${gib(w.usage.memoryPeakBytes)}) slow down or fail to allocate${mig ? '; the node must be re-partitioned for MIG, which drains its pods' : '; time-sliced neighbours can add latency'}.`,
        },
      ];
    });
  },
};
