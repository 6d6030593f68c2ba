/**
 * RIGHT-SIZE: a workload that requests k ≥ 2 whole GPUs and needs fewer. Needed GPUs
 *   k′ = max(1, ⌈demandP95 / target⌉, ⌈memoryPeakSum × (1 + headroom) / GPU memory⌉)
 * where demandP95 is the p95 over minutes of its devices' summed utilization (in GPUs), target the
 * target utilization, memoryPeakSum the most memory its devices held together. Recommended when
 * k′ < k: `whole` k′ on the same model; saving = (k − k′)/k of its GPU-hours.
 */
import type { Recommender } from './types.ts';
import { gib, isIdle, observedEnough, shapeOf, usageEvidence, workloadTarget } from './candidate-parts.ts';
import { confidenceOf, monthlySavingUsd } from './estimate.ts';

export const rightSize: Recommender = {
  kind: 'right-size',
  compute({ workloads, config }) {
    const target = config.targetUtilizationPct / 100;
    return workloads.flatMap((w) => {
      const demand = w.usage.demandP95Gpus;
      if (w.gpuRequest.kind !== 'whole' || w.gpuRequest.count < 2) return [];
      if (!observedEnough(w, config) || isIdle(w, config) || demand === null || w.gpuMemoryBytes === null) return [];
      const k = w.gpuRequest.count;
      const memoryNeedBytes = w.usage.memoryPeakSumBytes * (1 + config.memoryHeadroom);
      const needed = Math.max(1, Math.ceil(demand / target), Math.ceil(memoryNeedBytes / w.gpuMemoryBytes));
      if (needed >= k) return [];
      const saving = monthlySavingUsd({
        currentGpuHours: w.allocatedGpuHours,
        currentUsdPerGpuHour: w.priceUsdPerGpuHour,
        recommendedGpuHours: (w.allocatedGpuHours * needed) / k,
        recommendedUsdPerGpuHour: w.priceUsdPerGpuHour,
        observedHours: w.observedHours,
      });
      const margin = 1 - Math.max(demand / (needed * target), memoryNeedBytes / (needed * w.gpuMemoryBytes));
      return [
        {
          kind: 'right-size' as const,
          target: workloadTarget(w),
          current: shapeOf(w.gpuModel, w.gpuRequest),
          recommended: shapeOf(w.gpuModel, { kind: 'whole', count: needed }),
          evidence: {
            ...usageEvidence(w),
            demandP95Gpus: Math.round(demand * 1000) / 1000,
            memoryPeakSumBytes: w.usage.memoryPeakSumBytes,
            gpuMemoryBytes: w.gpuMemoryBytes,
            gpusRequested: k,
            gpusNeeded: needed,
          },
          estimatedMonthlySavingUsd: saving,
          confidence: confidenceOf({ observedHours: w.observedHours, minutes: w.usage.minutes, margin }, config),
          riskNote: `Assumes its work spreads over ${needed} GPU${needed > 1 ? 's' : ''} (${(demand / needed).toFixed(2)} GPU of p95 work and ${gib(w.usage.memoryPeakSumBytes / needed)} each): a data-parallel job must change its world size, and a model sharded across ${k} GPUs must fit in ${needed}.`,
        },
      ];
    });
  },
};
