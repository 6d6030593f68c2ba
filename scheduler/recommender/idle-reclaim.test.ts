import { describe, expect, it } from 'vitest';
import { GENTD26, observation, podMinutes, recommenderInput, usageOf } from '../../test/kits/gentd26-kit.ts';
import { idleReclaim } from './idle-reclaim.ts';

const A100_80GB_USD = 5.12071875;

describe('idle-reclaim recommender (gentd26 series, default catalog)', () => {
  // gentd26 pod 87b9247b: 8 h of readings, every one 0% (its 22 h max is 7.6%), 17.3 GiB held in memory.
  const idle = observation({ workload: 'sd-idle', usage: usageOf([podMinutes(GENTD26.idle, 480)]) });

  it('reclaims a whole A100-80GB idle for 8 h: its whole cost, $5.12071875 × 730 by hand', () => {
    const [c, ...rest] = idleReclaim.compute(recommenderInput([idle]));
    expect(rest).toEqual([]);
    expect(c?.recommended).toEqual({ gpuModel: 'A100-80GB', gpuRequest: { kind: 'none' } });
    expect(c?.evidence).toMatchObject({ utilizationP99Pct: 0, hoursObserved: 8, idleThresholdPct: 1 });
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(((8 * A100_80GB_USD) / 8) * 730, 6);
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(3738.12, 2);
    expect(c?.riskNote).toContain('17.3 GiB');
  });

  it('a pod that ran no GPU process at all is idle too, and its risk says so', () => {
    const noProcess = observation({
      usage: { ...idle.usage, memoryPeakBytes: 0, memoryPeakSumBytes: 0, devicesUsed: 0 },
    });
    expect(idleReclaim.compute(recommenderInput([noProcess]))[0]?.riskNote).toContain('No GPU process ran');
  });

  it('leaves a bursty serving pod (p99 49.6%), one idle for less than 6 h, and one no longer running', () => {
    const bursty = observation({ usage: usageOf([podMinutes(GENTD26.typical, 480)]) });
    const short = observation({ ...idle, observedHours: 5, allocatedGpuHours: 5 });
    const gone = observation({ ...idle, running: false });
    expect(idleReclaim.compute(recommenderInput([bursty, short, gone]))).toEqual([]);
  });
});
