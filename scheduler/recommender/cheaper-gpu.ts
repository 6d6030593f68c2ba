/**
 * CHEAPER GPU: a workload on whole GPUs that a cheaper catalog model would hold. Per GPU it needs
 * memory m = peak of one device × (1 + headroom) and throughput t = p95 utilization / target ×
 * the current model's FP16 Tensor TFLOPS (gpu-specs.ts). Candidates: every catalog model with a spec
 * whose memory ≥ m and TFLOPS ≥ t and whose price in the same tier (no pool: generic list price) is
 * below the current price; the cheapest wins. Saving = GPU-hours × (price − candidate price).
 */
import { PriceNotFoundError } from '../../pipeline/cost/price-lookup.ts';
import type { Recommender } from './types.ts';
import { gib, isIdle, observedEnough, shapeOf, usageEvidence, workloadTarget } from './candidate-parts.ts';
import { confidenceOf, monthlySavingUsd } from './estimate.ts';
import { gpuSpec } from './gpu-specs.ts';

export const cheaperGpu: Recommender = {
  kind: 'cheaper-gpu',
  compute({ workloads, config, prices, models, nowMs }) {
    return workloads.flatMap((w) => {
      const p95 = w.usage.utilizationP95Pct;
      const source = gpuSpec(w.gpuModel);
      if (w.gpuRequest.kind !== 'whole' || source?.fp16TensorTflops == null) return [];
      if (!observedEnough(w, config) || isIdle(w, config) || p95 === null) return [];
      const tflopsNeeded = (p95 / config.targetUtilizationPct) * source.fp16TensorTflops;
      const memoryNeeded = Math.ceil(w.usage.memoryPeakBytes * (1 + config.memoryHeadroom));
      const offers = models.flatMap((model) => {
        const spec = gpuSpec(model);
        if (model === w.gpuModel || spec?.fp16TensorTflops == null) return [];
        if (spec.memoryBytes < memoryNeeded || spec.fp16TensorTflops < tflopsNeeded) return [];
        try {
          const price = prices.priceAt({ gpuModel: model, tier: w.pricingTier }, nowMs).usdPerGpuHour;
          return price < w.priceUsdPerGpuHour ? [{ model, spec, price }] : [];
        } catch (error) {
          if (error instanceof PriceNotFoundError) return [];
          throw error;
        }
      });
      const best = offers.sort((a, b) => a.price - b.price || b.spec.memoryBytes - a.spec.memoryBytes)[0];
      if (best === undefined) return [];
      const tflops = best.spec.fp16TensorTflops ?? 0;
      const saving = monthlySavingUsd({
        currentGpuHours: w.allocatedGpuHours,
        currentUsdPerGpuHour: w.priceUsdPerGpuHour,
        recommendedGpuHours: w.allocatedGpuHours,
        recommendedUsdPerGpuHour: best.price,
        observedHours: w.observedHours,
      });
      const margin = 1 - Math.max(tflopsNeeded / tflops, memoryNeeded / best.spec.memoryBytes);
      return [
        {
          kind: 'cheaper-gpu' as const,
          target: workloadTarget(w),
          current: shapeOf(w.gpuModel, w.gpuRequest),
          recommended: shapeOf(best.model, w.gpuRequest),
          evidence: {
            ...usageEvidence(w),
            tflopsNeeded: Math.round(tflopsNeeded * 10) / 10,
            memoryNeededBytes: memoryNeeded,
            currentTflops: source.fp16TensorTflops,
            candidateTflops: tflops,
            candidateMemoryBytes: best.spec.memoryBytes,
            candidatePriceUsdPerGpuHour: best.price,
          },
          estimatedMonthlySavingUsd: saving,
          confidence: confidenceOf({ observedHours: w.observedHours, minutes: w.usage.minutes, margin }, config),
          riskNote: `Compared by FP16 Tensor TFLOPS (${source.fp16TensorTflops} → ${tflops}) and memory (${gib(memoryNeeded)} needed of ${gib(best.spec.memoryBytes)}): memory-bandwidth-bound or FP64 work can run slower than that suggests; needs ${best.model} nodes in the cluster.`,
        },
      ];
    });
  },
};
