import { describe, expect, it } from 'vitest';
import type { CostReport, CostReportRow } from '../../pipeline/cost/cost-report.ts';
import { compareLedgerWithTruth, formatAccuracyLine } from './ledger-vs-truth.ts';
import type { TenantTruth, WindowTruth } from './truth.ts';

const row = (
  bucket: 'workload' | 'idle',
  tenant: string,
  costUsd: number,
  wasteUsd: number,
  used = 0,
): CostReportRow => ({
  bucket,
  keys: { tenant },
  costUsd,
  wasteUsd,
  allocatedGpuHours: 0,
  usedGpuHours: used,
  efficiency: null,
});

const report = (rows: CostReportRow[]): CostReport => ({
  fromMs: 0,
  toMs: 3_600_000,
  by: ['tenant'],
  rows,
  totals: {
    costUsd: rows.reduce((s, r) => s + r.costUsd, 0),
    workloadCostUsd: 0,
    idleCostUsd: rows.filter((r) => r.bucket === 'idle').reduce((s, r) => s + r.costUsd, 0),
    wasteUsd: 0,
    allocatedGpuHours: 0,
    usedGpuHours: rows.reduce((s, r) => s + r.usedGpuHours, 0),
    efficiency: null,
    fleetCostUsd: 0,
    windows: 1,
    problems: 0,
  },
});

const truth = (
  tenants: Record<string, Partial<TenantTruth>>,
  unallocatedUsd: number,
  usedGpuHours: number,
): WindowTruth => ({
  fleetUsd: 0,
  workloadUsd: 0,
  unallocatedUsd,
  allocatedUnusedUsd: 0,
  usedGpuHours,
  pods: [],
  tenants: new Map(
    Object.entries(tenants).map(([k, v]) => [k, { usd: 0, wasteUsd: 0, gpuHours: 0, usedGpuHours: 0, ...v }]),
  ),
  gpuHoursByKind: new Map(),
});

describe('compareLedgerWithTruth', () => {
  it('relative errors per tenant (cost, waste and usage) and of the unallocated idle, worst of each', () => {
    const c = compareLedgerWithTruth(
      report([
        row('workload', 'acme', 10.1, 4, 1.5),
        row('workload', 'acme', 9.9, 4, 0.5), // two rows of one tenant add up
        row('workload', 'globex', 5, 2.2, 1),
        row('idle', '__idle__', 7.5, 0),
      ]),
      truth(
        { acme: { usd: 20, wasteUsd: 8, usedGpuHours: 2 }, globex: { usd: 4, wasteUsd: 2, usedGpuHours: 0.8 } },
        10,
        2.8,
      ),
    );
    expect(c.tenants.map((t) => [t.tenant, t.costError, t.wasteError, t.usageError])).toEqual([
      ['acme', 0, 0, 0],
      ['globex', 0.25, expect.closeTo(0.1, 12), expect.closeTo(0.25, 12)],
    ]);
    expect(c.worstCostError).toBe(0.25);
    expect(c.worstWasteError).toBeCloseTo(0.1, 12);
    expect(c.unallocatedError).toBe(0.25);
    expect(c.usageError).toBeCloseTo(0.2 / 2.8, 12); // the fleet: 3.0 GPU-h against 2.8
    expect(c.worstTenantUsageError).toBeCloseTo(0.25, 12);
    expect(formatAccuracyLine(c, ['agent-restart', 'duplicates'])).toBe(
      'accuracy: worst tenant cost error 25.000%, worst tenant waste error 10.000%, unallocated idle error 25.000%, usage error 7.143% over 2 tenants; faults: agent-restart,duplicates',
    );
  });

  it('a tenant the ledger lost is 100% off, one it invented is infinitely off; idle rows are not a tenant', () => {
    const c = compareLedgerWithTruth(
      report([row('workload', 'initech', 3, 1), row('idle', '', 2, 0)]),
      truth({ acme: { usd: 2, wasteUsd: 1 } }, 2, 0),
    );
    expect(c.tenants.map((t) => [t.tenant, t.costError])).toEqual([
      ['acme', 1],
      ['initech', Infinity],
    ]);
    expect(c.unallocatedError).toBe(0);
    expect(c.usageError).toBe(0);
    expect(c.worstTenantUsageError).toBe(0);
    expect(formatAccuracyLine(c, [])).toMatch(/over 2 tenants; faults: none$/);
  });

  it("busy time given to the wrong tenant: the fleet's usage agrees, the worst tenant's does not", () => {
    const c = compareLedgerWithTruth(
      report([row('workload', 'acme', 1, 0, 3), row('workload', 'globex', 1, 0, 1)]),
      truth({ acme: { usd: 1, usedGpuHours: 2 }, globex: { usd: 1, usedGpuHours: 2 } }, 0, 4),
    );
    expect(c.ledgerUsedGpuHours).toBe(c.truthUsedGpuHours);
    expect(c.usageError).toBe(0);
    expect(c.worstTenantUsageError).toBe(0.5);
  });

  it('refuses a report not grouped by tenant', () => {
    expect(() => compareLedgerWithTruth({ ...report([]), by: ['namespace'] }, truth({}, 0, 0))).toThrow(/by tenant/);
  });
});
