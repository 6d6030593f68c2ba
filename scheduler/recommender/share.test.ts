import { describe, expect, it } from 'vitest';
import { GENTD26, GIB, observation, podMinutes, recommenderInput, usageOf } from '../../test/kits/gentd26-kit.ts';
import { share } from './share.ts';

const A100_80GB_USD = 5.12071875; // config/prices/default.yaml: p4de.24xlarge $40.96575/h ÷ 8
const T4_USD = 0.526;

describe('share recommender (gentd26 series, default catalog)', () => {
  // 8 h of the typical serving pod: p95 31.13%, memory peak 36.23 GiB, on a whole A800-SXM4-80GB (catalog A100-80GB).
  const typical = observation({ usage: usageOf([podMinutes(GENTD26.typical, 480)]) });

  it('moves a whole A100-80GB to the smallest MIG profile holding p95 and peak memory: 3g.40gb, $ by hand', () => {
    expect(typical.usage.utilizationP95Pct).toBeCloseTo(31.1333, 3);
    expect(typical.usage.memoryPeakBytes / GIB).toBeCloseTo(36.23, 2);
    const [c, ...rest] = share.compute(recommenderInput([typical]));
    expect(rest).toEqual([]);
    // compute 31.13 / 80 = 0.389 of the GPU → 3 of 7 slices (0.429); memory 36.23 × 1.05 = 38.04 GiB ≤ 40 × 998.4 MiB = 39.0 GiB
    expect(c?.recommended).toEqual({
      gpuModel: 'A100-80GB',
      gpuRequest: { kind: 'mig', profile: '3g.40gb', count: 1 },
    });
    expect(c?.evidence).toMatchObject({ migProfile: '3g.40gb', gpuMilli: 500, utilizationP95Pct: 31.13 });
    // (8 GPU-h × $5.12071875 − 8 × 3/7 GPU-h × $5.12071875) / 8 h × 730 h = $2136.07
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(
      ((8 * A100_80GB_USD - ((8 * 3) / 7) * A100_80GB_USD) / 8) * 730,
      6,
    );
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(2136.07, 2);
    expect(c?.riskNote).toContain('3g.40gb');
  });

  it("names the brief's example profile when the need is small: 1g.10gb on an A100-80GB", () => {
    // The typical pod's minutes with its memory capped at 8 GiB (a small model) and its p95 at 10%: memory need 8.4 GiB.
    const small = observation({
      usage: { ...usageOf([podMinutes(GENTD26.typical, 480, 8 * GIB)]), utilizationP95Pct: 10, utilizationP99Pct: 20 },
    });
    const [c] = share.compute(recommenderInput([small]));
    expect(c?.recommended.gpuRequest).toEqual({ kind: 'mig', profile: '1g.10gb', count: 1 });
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(A100_80GB_USD * (6 / 7) * 730, 6);
  });

  it('on a GPU without MIG, a gpu_milli share rounded up to 50: a T4 (Tesla T4 capture, 15360 MiB)', () => {
    const t4 = observation({
      gpuModel: 'T4',
      reportedModel: 'Tesla T4',
      priceUsdPerGpuHour: T4_USD,
      gpuMemoryBytes: 15360 * 2 ** 20,
      usage: usageOf([podMinutes(GENTD26.typical, 480, 4 * GIB)]),
    });
    const [c] = share.compute(recommenderInput([t4]));
    // compute 31.13 / 80 = 0.389; memory 4 GiB × 1.05 / 15 GiB = 0.28 → 389 milli → 400
    expect(c?.recommended.gpuRequest).toEqual({ kind: 'fraction', milli: 400 });
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(T4_USD * 0.6 * 730, 6);
  });

  it('leaves a pod that needs its whole GPU, an idle one (idle-reclaim takes it) and one seen too briefly', () => {
    const busy = observation({ usage: usageOf([podMinutes(GENTD26.busyA, 480)]) });
    const idle = observation({ usage: usageOf([podMinutes(GENTD26.idle, 480)]) });
    const brief = observation({ ...typical, observedHours: 0.5, allocatedGpuHours: 0.5 });
    expect(share.compute(recommenderInput([busy, idle, brief]))).toEqual([]);
  });
});
