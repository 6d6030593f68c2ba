/**
 * IDLE RECLAIM: a running workload that holds GPUs and does not use them. Idle = p99 of its busiest
 * device's per-minute utilization ≤ idleUtilizationPct (a workload with no GPU process at all counts
 * as 0%), observed for at least idleMinHours. Recommended: release them (request none: scale to zero
 * or delete); saving = its whole cost per observed hour × 730.
 */
import type { Recommender } from './types.ts';
import { gib, isIdle, pct, shapeOf, usageEvidence, workloadTarget } from './candidate-parts.ts';
import { confidenceOf, monthlySavingUsd } from './estimate.ts';

export const idleReclaim: Recommender = {
  kind: 'idle-reclaim',
  compute({ workloads, config }) {
    return workloads
      .filter((w) => w.running && w.observedHours >= config.idleMinHours && isIdle(w, config))
      .map((w) => {
        const p99 = w.usage.utilizationP99Pct ?? 0;
        const saving = monthlySavingUsd({
          currentGpuHours: w.allocatedGpuHours,
          currentUsdPerGpuHour: w.priceUsdPerGpuHour,
          recommendedGpuHours: 0,
          recommendedUsdPerGpuHour: w.priceUsdPerGpuHour,
          observedHours: w.observedHours,
        });
        const margin = config.idleUtilizationPct > 0 ? 1 - p99 / config.idleUtilizationPct : 1;
        return {
          kind: 'idle-reclaim' as const,
          target: workloadTarget(w),
          current: shapeOf(w.gpuModel, w.gpuRequest),
          recommended: shapeOf(w.gpuModel, { kind: 'none' }),
          evidence: { ...usageEvidence(w), idleThresholdPct: config.idleUtilizationPct },
          estimatedMonthlySavingUsd: saving,
          confidence: confidenceOf({ observedHours: w.observedHours, minutes: w.usage.minutes, margin }, config),
          riskNote:
            w.usage.devicesUsed === 0
              ? `No GPU process ran in ${w.observedHours.toFixed(1)} h: releasing the GPUs loses nothing it computes; check it is not waiting for work that has not come yet.`
              : `Busy at most ${pct(w.usage.utilizationMaxPct ?? 0)} in ${w.observedHours.toFixed(1)} h, but it keeps ${gib(w.usage.memoryPeakBytes)} in GPU memory: the next request after scaling to zero pays a cold start (model load).`,
        };
      });
  },
};
