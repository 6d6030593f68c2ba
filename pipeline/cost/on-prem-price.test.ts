import { describe, expect, it } from 'vitest';
import { HOURS_PER_MONTH, computeOnPremPrice } from './on-prem-price.ts';

describe('computeOnPremPrice', () => {
  it('adds amortised capex, energy and hosting per GPU-hour', () => {
    const p = computeOnPremPrice({
      capexUsdPerGpu: 36_500,
      amortizationMonths: 50,
      powerWattsPerGpu: 1000,
      pue: 1.5,
      electricityUsdPerKwh: 0.2,
      hostingUsdPerGpuMonth: 73,
    });
    expect(HOURS_PER_MONTH).toBe(730);
    expect(p.capexUsdPerGpuHour).toBeCloseTo(1, 12); // 36500 / (50 × 730)
    expect(p.powerUsdPerGpuHour).toBeCloseTo(0.3, 12); // 1 kW × 1.5 × $0.20
    expect(p.hostingUsdPerGpuHour).toBeCloseTo(0.1, 12); // 73 / 730
    expect(p.totalUsdPerGpuHour).toBeCloseTo(1.4, 12);
  });
});
