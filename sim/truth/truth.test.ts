import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTruthPrices, type TruthPrices } from './catalog-prices.ts';
import { computeTruth, type TruthPod, type TruthRequest } from './truth.ts';

const W0 = Date.UTC(2026, 10, 2);
const MIN = 60_000;
const HOUR = 60 * MIN;

// T4 $0.60 until 01:30, then $0.90 (a price change inside the window); A100-80GB $3.50. Lambda's
// pool price and the spot price must not be picked up for an on-demand node without a pool.
const CATALOG = `
models:
  T4: { aliases: [Tesla T4] }
  A100-80GB: { aliases: [NVIDIA A100-SXM4-80GB] }
versions:
  - effectiveFrom: "2023-01-01T00:00:00Z"
    prices:
      - { model: T4, tier: on-demand, usdPerGpuHour: 0.60 }
      - { model: T4, tier: on-demand, pool: lambda, usdPerGpuHour: 0.10 }
      - { model: T4, tier: spot, usdPerGpuHour: 0.20 }
      - { model: A100-80GB, tier: on-demand, usdPerGpuHour: 3.50 }
  - effectiveFrom: "2026-11-02T01:30:00Z"
    prices:
      - { model: T4, tier: on-demand, usdPerGpuHour: 0.90 }
`;
const dir = mkdtempSync(join(tmpdir(), 'truth-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const prices: TruthPrices = (() => {
  writeFileSync(join(dir, 'prices.yaml'), CATALOG);
  return readTruthPrices(join(dir, 'prices.yaml'));
})();

/** A pod using `busy` GPUs all the time it runs. */
const pod = (
  uid: string,
  node: string,
  request: TruthRequest,
  startMs: number,
  endMs: number,
  busy: number,
): TruthPod => ({
  uid,
  tenant: `tenant-${uid}`,
  node,
  request,
  startMs,
  endMs,
  usedGpuSeconds: (a, b) => (busy * (Math.min(b, endMs) - Math.max(a, startMs))) / 1000,
});
const t4 = { name: 't4', productName: 'Tesla T4', gpus: 4, fromMs: -Infinity, toMs: Infinity };
const a100 = { name: 'a100', productName: 'NVIDIA A100-SXM4-80GB', gpus: 1, fromMs: -Infinity, toMs: Infinity };
const one = (p: TruthPod, window = { fromMs: W0, toMs: W0 + HOUR }) => {
  const truth = computeTruth(window, [t4, a100], [p], prices);
  return { truth, pod: truth.pods[0] };
};

describe('independent truth: catalog reading', () => {
  it('resolves aliases case-insensitively, on-demand without pool, effective-dated', () => {
    expect(prices.usdPerGpuHourAt('tesla t4', W0)).toBe(0.6);
    expect(prices.usdPerGpuHourAt('T4', W0 + 90 * MIN)).toBe(0.9);
    expect(prices.usdPerGpuHourAt('NVIDIA A100-SXM4-80GB', W0)).toBe(3.5);
    expect(prices.changesIn('Tesla T4', W0, W0 + 2 * HOUR)).toEqual([W0 + 90 * MIN]);
    expect(() => prices.usdPerGpuHourAt('Tesla P100-PCIE-16GB', W0)).toThrow(/no on-demand price/);
  });
  it('reads the shipped catalog: openb G2 is priced as the A100-40GB, an alias as its model', () => {
    const shipped = readTruthPrices(join(import.meta.dirname, '../../config/prices/default.yaml'));
    expect(shipped.usdPerGpuHourAt('G2', W0)).toBe(4.096575);
    expect(shipped.usdPerGpuHourAt('Tesla V100-SXM2-32GB', W0)).toBe(3.9015);
    expect(shipped.usdPerGpuHourAt('NVIDIA H200', W0)).toBe(7.912); // the 2025-06 version replaced 10.60
  });
});

describe('independent truth: hand-computed pods (one hour window, T4 $0.60/GPU-h, A100 $3.50/GPU-h)', () => {
  it('a whole GPU for the hour, 50% busy: 1 GPU-h, $0.60, used 0.5, waste $0.30', () => {
    const { pod: p } = one(pod('w', 't4', { kind: 'whole', count: 1 }, W0, W0 + HOUR, 0.5));
    expect(p).toMatchObject({ kind: 'whole', gpuHours: 1, usedGpuHours: 0.5 });
    expect(p?.usd).toBeCloseTo(0.6, 12);
    expect(p?.wasteUsd).toBeCloseTo(0.3, 12);
  });
  it('500 milli for 40 minutes, using 0.25 GPU: 1/3 GPU-h, $0.20, waste $0.10', () => {
    const { pod: p } = one(pod('m', 't4', { kind: 'milli', milli: 500 }, W0 + 20 * MIN, W0 + HOUR, 0.25));
    expect(p?.kind).toBe('milli');
    expect(p?.gpuHours).toBeCloseTo(1 / 3, 12);
    expect(p?.usd).toBeCloseTo(0.2, 12);
    expect(p?.wasteUsd).toBeCloseTo(0.1, 12);
  });
  it('2 GPUs for 30 minutes, fully busy: 1 GPU-h, $0.60, no waste', () => {
    const { pod: p } = one(pod('k', 't4', { kind: 'whole', count: 2 }, W0, W0 + 30 * MIN, 2));
    expect(p).toMatchObject({ kind: 'multi', gpuHours: 1, usedGpuHours: 1, wasteUsd: 0 });
    expect(p?.usd).toBeCloseTo(0.6, 12);
  });
  it('MIG 1g.10gb on an A100 80GB for the hour: 1/7 GPU-h, $0.50; idle the other 6/7, $3.00', () => {
    const { truth, pod: p } = one(pod('g', 'a100', { kind: 'mig', profile: '1g.10gb' }, W0, W0 + HOUR, 1 / 14));
    expect(p?.kind).toBe('mig');
    expect(p?.gpuHours).toBeCloseTo(1 / 7, 12);
    expect(p?.usd).toBeCloseTo(0.5, 12);
    expect(p?.wasteUsd).toBeCloseTo(0.25, 12);
    // fleet: 4 T4 × $0.60 + 1 A100 × $3.50 = $5.90; unallocated = 5.90 − 0.50
    expect(truth.fleetUsd).toBeCloseTo(5.9, 12);
    expect(truth.unallocatedUsd).toBeCloseTo(5.4, 12);
  });
  it('a pod crossing the hour and a price change: 00:30..01:45 on a whole T4, 50% busy, in window 00:00..02:00', () => {
    const window = { fromMs: W0, toMs: W0 + 2 * HOUR };
    const { truth, pod: p } = one(
      pod('x', 't4', { kind: 'whole', count: 1 }, W0 + 30 * MIN, W0 + 105 * MIN, 0.5),
      window,
    );
    // 0.5 h × $0.60 + 0.5 h × $0.60 + 0.25 h × $0.90 = $0.825
    expect(p?.gpuHours).toBeCloseTo(1.25, 12);
    expect(p?.usd).toBeCloseTo(0.825, 12);
    expect(p?.usedGpuHours).toBeCloseTo(0.625, 12);
    expect(p?.wasteUsd).toBeCloseTo(0.4125, 12);
    // fleet: 4 T4 × (1.5 h × 0.60 + 0.5 h × 0.90) + A100 2 h × 3.50 = 5.40 + 7.00
    expect(truth.fleetUsd).toBeCloseTo(12.4, 12);
    expect(truth.allocatedUnusedUsd).toBeCloseTo(0.4125, 12);
    expect(truth.tenants.get('tenant-x')?.usd).toBeCloseTo(0.825, 12);
  });
  it('pods before the window and nodes that join or leave: only the time inside both counts', () => {
    const joining = { ...t4, name: 'late', fromMs: W0 + 15 * MIN, toMs: W0 + 45 * MIN };
    const early = pod('e', 'late', { kind: 'whole', count: 1 }, W0 - HOUR, W0 + 2 * HOUR, 1);
    const truth = computeTruth({ fromMs: W0, toMs: W0 + HOUR }, [joining], [early], prices);
    expect(truth.pods[0]?.gpuHours).toBeCloseTo(0.5, 12);
    expect(truth.fleetUsd).toBeCloseTo(4 * 0.5 * 0.6, 12);
    expect(truth.unallocatedUsd).toBeCloseTo(3 * 0.5 * 0.6, 12);
    expect(truth.pods[0]?.wasteUsd).toBeCloseTo(0, 12);
  });
});
