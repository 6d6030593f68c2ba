import { describe, expect, it } from 'vitest';
import { PricingTier } from '../../contracts/cost-ledger-row.ts';
import { HOUR_MS, T0, testLookup } from '../../test/kits/cost-test-kit.ts';
import { loadPriceCatalog } from './load-price-catalog.ts';
import { PriceNotFoundError, createPriceLookup } from './price-lookup.ts';

const defaults = createPriceLookup(loadPriceCatalog());
const JUNE_2025 = Date.UTC(2025, 5, 1);

describe('price lookup: effective dates', () => {
  it('uses the version in force at the time asked (default catalog: H200 after the June 2025 AWS reduction)', () => {
    const q = { gpuModel: 'NVIDIA H200', tier: PricingTier.onDemand };
    expect(defaults.priceAt(q, JUNE_2025 - 1).usdPerGpuHour).toBe(10.6);
    expect(defaults.priceAt(q, JUNE_2025).usdPerGpuHour).toBe(7.912);
    expect(defaults.priceAt(q, JUNE_2025).effectiveFromMs).toBe(JUNE_2025);
    // Layered versions: the 2025-06 version does not list H100, so the 2023 price stays in force.
    expect(defaults.priceAt({ gpuModel: 'H100', tier: PricingTier.onDemand }, JUNE_2025 + HOUR_MS).usdPerGpuHour).toBe(
      12.29,
    );
  });

  it('splits a span into segments where a version changes this price, and only there', () => {
    const lookup = testLookup([
      [
        T0,
        [
          { model: 'H100', usdPerGpuHour: 2 },
          { model: 'T4', usdPerGpuHour: 0.5 },
        ],
      ],
      [T0 + HOUR_MS, [{ model: 'H100', usdPerGpuHour: 3 }]],
    ]);
    const h100 = lookup.segments({ gpuModel: 'H100', tier: PricingTier.onDemand }, T0 + HOUR_MS / 2, T0 + 2 * HOUR_MS);
    expect(h100.map((s) => [s.fromMs - T0, s.toMs - T0, s.price.usdPerGpuHour])).toEqual([
      [HOUR_MS / 2, HOUR_MS, 2],
      [HOUR_MS, 2 * HOUR_MS, 3],
    ]);
    const t4 = lookup.segments({ gpuModel: 'T4', tier: PricingTier.onDemand }, T0, T0 + 2 * HOUR_MS);
    expect(t4.map((s) => [s.fromMs - T0, s.toMs - T0, s.price.usdPerGpuHour])).toEqual([[0, 2 * HOUR_MS, 0.5]]);
  });

  it('refuses a time before the first version', () => {
    expect(() => defaults.priceAt({ gpuModel: 'T4', tier: PricingTier.onDemand }, Date.UTC(2022, 0, 1))).toThrow(
      /before the first catalog version, 2023-01-01T00:00:00.000Z/,
    );
  });
});

describe('price lookup: selectors, fallbacks, unknowns', () => {
  it('prefers the pool-specific entry and falls back to the generic one for other pools', () => {
    expect(defaults.priceAt({ gpuModel: 'H100', tier: PricingTier.onDemand, pool: 'lambda' }, T0).usdPerGpuHour).toBe(
      2.99,
    );
    expect(defaults.priceAt({ gpuModel: 'H100', tier: PricingTier.onDemand, pool: 'gpu-a' }, T0).usdPerGpuHour).toBe(
      12.29,
    );
  });

  it('prices committed nodes at on-demand through the documented fallback, and says so', () => {
    const price = defaults.priceAt({ gpuModel: 'L4', tier: PricingTier.committed }, T0);
    expect(price.usdPerGpuHour).toBe(0.8048);
    expect(price.entry.tier).toBe('on-demand');
    expect(price.viaFallback?.useTier).toBe('on-demand');
  });

  it('throws PriceNotFoundError for an unknown model and for a tier without price or fallback', () => {
    expect(() => defaults.priceAt({ gpuModel: 'NVIDIA GeForce RTX 3090', tier: PricingTier.onDemand }, T0)).toThrow(
      PriceNotFoundError,
    );
    expect(() => defaults.canonicalModel('NVIDIA GeForce RTX 3090')).toThrow(
      /unknown GPU model 'NVIDIA GeForce RTX 3090'.*known: H100, H200/,
    );
    expect(() => defaults.priceAt({ gpuModel: 'T4', tier: PricingTier.onPrem }, T0)).toThrow(
      "no 'on-prem' price for GPU model 'T4' (pool none, instanceType none) at 2025-03-01T00:00:00.000Z; add one to the price catalog or a tier fallback",
    );
  });
});
