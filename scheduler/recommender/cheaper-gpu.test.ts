import { describe, expect, it } from 'vitest';
import { GENTD26, GIB, observation, podMinutes, recommenderInput, usageOf } from '../../test/kits/gentd26-kit.ts';
import { cheaperGpu } from './cheaper-gpu.ts';

// config/prices/default.yaml, on-demand
const USD = { a100: 5.12071875, v100_32: 3.9015, l40s: 1.861 };

describe('cheaper-gpu recommender (gentd26 series, default catalog)', () => {
  it('moves the typical serving pod off an A100-80GB to the cheapest model that holds it: L40S, $ by hand', () => {
    const w = observation({ usage: usageOf([podMinutes(GENTD26.typical, 480)]) });
    const [c, ...rest] = cheaperGpu.compute(recommenderInput([w]));
    expect(rest).toEqual([]);
    // needs 31.13 / 80 × 312 = 121.4 TFLOPS and 36.23 × 1.05 = 38.04 GiB: the A100-40GB ($4.10) and the
    // L40S ($1.861, 362 TFLOPS, 44.99 GiB) hold it; L4 (121 TFLOPS, 22.5 GiB) and V100-32GB (112) do not.
    expect(c?.recommended).toEqual({ gpuModel: 'L40S', gpuRequest: { kind: 'whole', count: 1 } });
    expect(c?.evidence).toMatchObject({
      tflopsNeeded: 121.4,
      currentTflops: 312,
      candidateTflops: 362,
      candidatePriceUsdPerGpuHour: USD.l40s,
    });
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(((8 * USD.a100 - 8 * USD.l40s) / 8) * 730, 6);
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(2379.59, 2);
  });

  it("a V100-32GB pod (memory capped at the V100 capture's 32480 MiB): L40S too, $ by hand", () => {
    const usage = usageOf([podMinutes(GENTD26.moderate, 480, 32480 * 2 ** 20)]);
    expect(usage.memoryPeakBytes / GIB).toBeCloseTo(29.4, 1);
    const w = observation({
      gpuModel: 'V100-32GB',
      reportedModel: 'Tesla V100-SXM2-32GB',
      priceUsdPerGpuHour: USD.v100_32,
      gpuMemoryBytes: 32480 * 2 ** 20,
      usage,
    });
    const [c] = cheaperGpu.compute(recommenderInput([w]));
    expect(c?.recommended.gpuModel).toBe('L40S');
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo((USD.v100_32 - USD.l40s) * 730, 6);
  });

  it('leaves a pod nothing cheaper can carry (p95 92% of an H100: 868 TFLOPS) and one on a GPU without a TFLOPS figure (A10G)', () => {
    // The H100 80GB HBM3 capture reports 81559 MiB; the only cheaper model in the catalog now, the H200
    // ($7.912 after the 2025-06 version), has 835 TFLOPS.
    const busy = observation({
      gpuModel: 'H100',
      reportedModel: 'NVIDIA H100 80GB HBM3',
      priceUsdPerGpuHour: 12.29,
      gpuMemoryBytes: 81559 * 2 ** 20,
      usage: usageOf([podMinutes(GENTD26.busyA, 480)]),
    });
    const a10g = observation({
      gpuModel: 'A10G',
      priceUsdPerGpuHour: 1.006,
      usage: usageOf([podMinutes(GENTD26.typical, 480, 20 * GIB)]),
    });
    expect(cheaperGpu.compute(recommenderInput([busy, a10g]))).toEqual([]);
  });
});
