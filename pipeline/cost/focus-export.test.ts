import { describe, expect, it } from 'vitest';
import type { CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { formatNumber } from './csv.ts';
import { FOCUS_EXPORT_COLUMNS, toFocusCsv, toFocusRecord } from './focus-export.ts';
import { HOUR_MS, T0 } from '../../test/kits/cost-test-kit.ts';

const row: CostLedgerRow = {
  schemaVersion: 1,
  windowStartMs: T0,
  windowEndMs: T0 + HOUR_MS,
  cluster: 'c1',
  node: 'gpu-node-1',
  gpuModel: 'H100',
  pricingTier: 'spot',
  bucket: 'workload',
  namespace: 'ml',
  pod: 'train, "big"',
  podUid: 'uid-1',
  tenant: 'acme',
  team: 'vision',
  workload: 'train',
  model: 'llama-3-8b',
  labels: { app: 'train' },
  allocatedGpuSeconds: 7200,
  usedGpuSeconds: 1800,
  priceUsdPerGpuHour: 2.5,
  costUsd: 5,
  wasteUsd: 3.75,
};
const options = {
  billingAccountId: 'acct-1',
  billingAccountName: 'Acme ML',
  regionId: 'us-east-1',
  regionName: 'US East (N. Virginia)',
};

describe('toFocusRecord', () => {
  it('maps a workload row onto FOCUS 1.2 columns plus x_ allocation detail', () => {
    expect(toFocusRecord(row, options)).toMatchObject({
      BilledCost: 5,
      EffectiveCost: 5,
      ListCost: 5,
      ContractedCost: 5,
      ListUnitPrice: 2.5,
      ContractedUnitPrice: 2.5,
      BillingCurrency: 'USD',
      BillingPeriodStart: '2025-03-01T00:00:00Z',
      BillingPeriodEnd: '2025-04-01T00:00:00Z',
      ChargePeriodStart: '2025-03-01T00:00:00Z',
      ChargePeriodEnd: '2025-03-01T01:00:00Z',
      ChargeCategory: 'Usage',
      ChargeClass: null,
      ChargeFrequency: 'Usage-Based',
      PricingCategory: 'Dynamic',
      PricingQuantity: 2,
      PricingUnit: 'GPU-Hours',
      ConsumedQuantity: 2,
      ConsumedUnit: 'GPU-Hours',
      ResourceId: 'uid-1',
      ResourceName: 'ml/train, "big"',
      ResourceType: 'Kubernetes Pod',
      ServiceCategory: 'Compute',
      ServiceSubcategory: 'Containers',
      SubAccountId: 'acme',
      RegionId: 'us-east-1',
      SkuId: 'gpu-hour:H100:spot',
      SkuPriceId: 'gpu-hour:H100:spot:2.5',
      ProviderName: 'GPU Ledger',
      x_Tenant: 'acme',
      x_Team: 'vision',
      x_Workload: 'train',
      x_Model: 'llama-3-8b',
      x_AllocatedGpuHours: 2,
      x_UsedGpuHours: 0.5,
      x_WasteCost: 3.75,
      x_GpuEfficiency: 0.25,
      x_CostBucket: 'workload',
    });
    expect(JSON.parse(String(toFocusRecord(row, options).Tags))).toMatchObject({
      app: 'train',
      'gpu-ledger/tenant': 'acme',
      'gpu-ledger/namespace': 'ml',
    });
  });

  it('maps idle rows to the node and tiers to pricing categories', () => {
    const idle = toFocusRecord(
      {
        ...row,
        bucket: 'idle',
        pricingTier: 'on-prem',
        pod: '__idle__',
        podUid: '__idle__',
        namespace: '__idle__',
        tenant: '__idle__',
      },
      options,
    );
    expect(idle).toMatchObject({
      ResourceId: 'c1/gpu-node-1',
      ResourceType: 'Kubernetes Node',
      PricingCategory: 'Other',
      x_GpuEfficiency: null,
    });
    expect(idle.ChargeDescription).toBe('2.0000 idle GPU-hours of H100 (on-prem) on node gpu-node-1');
    expect(toFocusRecord({ ...row, pricingTier: 'on-demand' }, options).PricingCategory).toBe('Standard');
    expect(toFocusRecord({ ...row, pricingTier: 'committed' }, options).PricingCategory).toBe('Committed');
  });
});

describe('toFocusCsv', () => {
  it('writes the header and RFC 4180 quoted fields', () => {
    const lines = toFocusCsv([row], options).split('\r\n');
    expect(lines[0]).toBe(FOCUS_EXPORT_COLUMNS.join(','));
    expect(lines[1]).toContain(',"ml/train, ""big""",');
    expect(lines).toHaveLength(3);
  });

  it('rejects rows whose window crosses a UTC month (no billing period holds them)', () => {
    expect(() =>
      toFocusCsv([{ ...row, windowStartMs: Date.UTC(2025, 2, 31, 23), windowEndMs: Date.UTC(2025, 3, 1, 1) }], options),
    ).toThrow(
      /1 ledger row\(s\) cross a UTC month boundary.*2025-03-31T23:00:00Z\.\.2025-04-01T01:00:00Z node gpu-node-1/,
    );
  });

  it('writes numbers without exponents', () => {
    expect(formatNumber(1e-7)).toBe('0.0000001');
    expect(formatNumber(12.29)).toBe('12.29');
    expect(() => formatNumber(Number.NaN)).toThrow(RangeError);
  });
});
