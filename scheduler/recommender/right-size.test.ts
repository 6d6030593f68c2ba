import { describe, expect, it } from 'vitest';
import { GENTD26, GIB, observation, podMinutes, recommenderInput, usageOf } from '../../test/kits/gentd26-kit.ts';
import { rightSize } from './right-size.ts';

const A100_80GB_USD = 5.12071875;

describe('right-size recommender (gentd26 series, default catalog)', () => {
  // A 4-GPU pod on an A800-SXM4-80GB node whose processes ran on two GPUs only, each replaying a busy
  // gentd26 pod for 8 h: summed demand p95 1.378 GPUs, memory together at most 81.36 GiB.
  const usage = usageOf([podMinutes(GENTD26.busyA, 480), podMinutes(GENTD26.busyB, 480)]);
  const fourGpus = observation({ gpuRequest: { kind: 'whole', count: 4 }, usage });

  it('asks for 2 of 4 GPUs (demand 1.378/0.8 → 2, memory 81.36 × 1.05 / 80 GiB → 2), $ by hand', () => {
    expect(usage.demandP95Gpus).toBeCloseTo(1.3783, 3);
    expect(usage.memoryPeakSumBytes / GIB).toBeCloseTo(81.362, 2);
    const [c, ...rest] = rightSize.compute(recommenderInput([fourGpus]));
    expect(rest).toEqual([]);
    expect(c?.recommended).toEqual({ gpuModel: 'A100-80GB', gpuRequest: { kind: 'whole', count: 2 } });
    expect(c?.evidence).toMatchObject({ gpusRequested: 4, gpusNeeded: 2, devicesUsed: 2 });
    // (32 GPU-h × $5.12071875 − 16 GPU-h × $5.12071875) / 8 h × 730 h = 2 × 5.12071875 × 730 = $7476.25
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(((32 - 16) * A100_80GB_USD * 730) / 8, 6);
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(7476.25, 2);
  });

  it('keeps memory as a floor: the same work in 4 GPUs of 24 GiB (an A10, 23028 MiB) needs all 4', () => {
    const a10 = observation({
      ...fourGpus,
      gpuModel: 'A10',
      priceUsdPerGpuHour: 0.75,
      gpuMemoryBytes: 23028 * 2 ** 20,
    });
    expect(rightSize.compute(recommenderInput([a10]))).toEqual([]);
  });

  it('does not touch one-GPU pods (share does) or pods whose GPUs have no memory figure', () => {
    const one = observation({ usage: usageOf([podMinutes(GENTD26.typical, 480)]) });
    const unknown = observation({ ...fourGpus, gpuMemoryBytes: null });
    expect(rightSize.compute(recommenderInput([one, unknown]))).toEqual([]);
  });
});
