import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../../test/helpers/fixtures.ts';
import { fgdPolicy } from '../policies/fgd.ts';
import { parseGentdSeries } from './gentd-series.ts';
import { packAndEvaluate, type UsagePod } from './usage-packing.ts';
import { evaluateTrailingPercentile, trailingPercentile } from './usage-prediction.ts';

describe('gentd26 usage series', () => {
  it('puts every pod on one time grid, 0 where it has no sample', () => {
    const text = 'value,timestamp_anon,container_ip\n5.0,100.0,a\n7.5,157.0,a\n2.0,157.0,b\n1.0,214.0,a\n';
    const usage = parseGentdSeries(text);
    expect(usage.timesS).toEqual([100, 157, 214]);
    expect(usage.stepS).toBe(57);
    expect(Array.from(usage.pods.get('a')!)).toEqual([5, 7.5, 1]);
    expect(Array.from(usage.pods.get('b')!)).toEqual([0, 2, 0]);
    expect(() => parseGentdSeries('value,timestamp_anon,container_ip\nx,1,a\n', 'f.csv')).toThrow('f.csv line 2');
  });

  it('reads the real trace: 72 pods, 1441 steps of 57 s, mean usage about 6%', () => {
    const usage = parseGentdSeries(
      gunzipSync(readFileSync(join(SHARED_DIR, 'traces/gentd26/pod_gpu_duty_cycle_dev.csv.gz'))).toString('utf8'),
    );
    expect(usage.pods.size).toBe(72);
    expect(usage.timesS).toHaveLength(1441);
    expect(usage.stepS).toBe(57);
    const all = [...usage.pods.values()].flatMap((s) => Array.from(s));
    expect(all.reduce((a, b) => a + b, 0) / all.length).toBeCloseTo(6.0, 1);
  });
});

describe('next-hour prediction from the pod’s own history', () => {
  it('compares the trailing percentile with the next hour, by hand', () => {
    // Hours of 2 steps, warm-up 2: predict from [0,10] → p100 10; next [20,0]: |10−20| = 10, one sample above (by 10).
    // Then from [0,10,20,0] → 20; next [5,5]: |20−5| = 15, none above.
    const s = Float64Array.from([0, 10, 20, 0, 5, 5]);
    expect(trailingPercentile(s, 2, 100)).toBe(10);
    expect(evaluateTrailingPercentile([s], { pct: 100, hourSteps: 2, warmupSteps: 2 })).toEqual({
      predictions: 2,
      maePp: 12.5,
      exceedancePct: 25,
      meanExcessPp: 10,
    });
  });
});

describe('packing by usage against packing by request', () => {
  const pod = (key: string, requestMilli: number, usage: number[]): UsagePod => ({
    key,
    requestMilli,
    series: Float64Array.from(usage),
  });
  // Two pods asking 600 each but using at most 40% and 50%, never at once above 100% together.
  const pods = [pod('a', 600, [0, 40, 10, 40]), pod('b', 600, [0, 50, 60, 50])];
  const setup = {
    policy: fgdPolicy,
    node: { cpuMilli: 8000, memoryMib: 65_536, gpuModel: 'T4' },
    podCpuMilli: 1000,
    podMemoryMib: 1024,
    seed: 1,
    fromStep: 1,
    stepS: 60,
  };
  it('needs one GPU by usage where requests need two, and counts what overlaps past 100%', () => {
    const byRequest = packAndEvaluate(pods, 'request', (p) => p.requestMilli, setup);
    expect(byRequest.gpusUsed).toBe(2);
    expect(byRequest.interferenceGpuMinutes).toBe(0);
    // Steps 1..3: per GPU 40,10,40 and 50,60,50 → mean of the six = 250/6.
    expect(byRequest.effectiveUtilizationPct).toBeCloseTo(250 / 6, 9);
    const byMax = packAndEvaluate(pods, 'p100', (p) => trailingPercentile(p.series, 4, 100) * 10, setup);
    expect(byMax.gpusUsed).toBe(1);
    // One GPU: 90, 70, 90 → no overload; utilization 250/3.
    expect(byMax.interferenceGpuMinutes).toBe(0);
    expect(byMax.effectiveUtilizationPct).toBeCloseTo(250 / 3, 9);
    const tight = [pod('a', 600, [0, 70, 10, 40]), pod('b', 600, [0, 50, 60, 50])];
    const overloaded = packAndEvaluate(tight, 'p50', () => 100, setup);
    expect(overloaded.gpusUsed).toBe(1);
    expect(overloaded.interferenceGpuMinutes).toBe(1); // 70 + 50 = 120 at step 1
    expect(overloaded.p95OverloadPp).toBe(20);
  });
});
