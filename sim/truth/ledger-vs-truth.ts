/**
 * The ledger's report of a window against the simulator's independent truth (truth.ts): per tenant
 * workload cost, waste and used GPU-hours, the unallocated idle and the fleet's used GPU-hours. These
 * are the figures that can be wrong: the ledger's total is the fleet's capacity cost whatever the pods do
 * (idle absorbs the rest), so it is never compared alone.
 *
 * The report must be grouped by tenant with no idle sharing (idle rows then carry the unallocated
 * idle only). Errors are relative: |ledger − truth| / truth, and a truth of 0 with a ledger of 0 is 0.
 */
import { CostBucket } from '../../contracts/cost-ledger-row.ts';
import type { CostReport } from '../../pipeline/cost/cost-report.ts';
import type { WindowTruth } from './truth.ts';

export interface TenantComparison {
  readonly tenant: string;
  readonly truthUsd: number;
  readonly ledgerUsd: number;
  readonly costError: number;
  readonly truthWasteUsd: number;
  readonly ledgerWasteUsd: number;
  readonly wasteError: number;
  readonly truthUsedGpuHours: number;
  readonly ledgerUsedGpuHours: number;
  readonly usageError: number;
}

export interface LedgerVsTruth {
  readonly tenants: readonly TenantComparison[];
  readonly worstCostError: number;
  readonly worstWasteError: number;
  readonly truthUnallocatedUsd: number;
  readonly ledgerUnallocatedUsd: number;
  readonly unallocatedError: number;
  /** The fleet's used GPU-hours: the accuracy line's usage error (issue 12's bound, 1%). */
  readonly truthUsedGpuHours: number;
  readonly ledgerUsedGpuHours: number;
  readonly usageError: number;
  /**
   * The worst tenant's used GPU-hours, printed in the table: it also shows busy time given to the
   * wrong pod, which the fleet's sum cannot, but a GPU's pods share its one reading equally (nvidia-smi
   * has no per-process SM time), so on a small fleet it is far above the fleet's.
   */
  readonly worstTenantUsageError: number;
}

export const relativeError = (got: number, want: number): number =>
  want === 0 ? (got === 0 ? 0 : Infinity) : Math.abs(got - want) / Math.abs(want);

export function compareLedgerWithTruth(report: CostReport, truth: WindowTruth): LedgerVsTruth {
  if (!report.by.includes('tenant')) throw new Error('compareLedgerWithTruth: the report must be grouped by tenant');
  const ledger = new Map<string, { usd: number; waste: number; used: number }>();
  for (const row of report.rows) {
    if (row.bucket !== CostBucket.workload) continue;
    const tenant = row.keys['tenant'] ?? '';
    const t = ledger.get(tenant) ?? { usd: 0, waste: 0, used: 0 };
    t.usd += row.costUsd;
    t.waste += row.wasteUsd;
    t.used += row.usedGpuHours;
    ledger.set(tenant, t);
  }
  // Every tenant either side knows: a tenant the ledger invented or lost is an error of 100% or more.
  const names = [...new Set([...truth.tenants.keys(), ...ledger.keys()])].sort();
  const tenants = names.map((tenant) => {
    const want = truth.tenants.get(tenant);
    const got = ledger.get(tenant);
    const [truthUsd, ledgerUsd] = [want?.usd ?? 0, got?.usd ?? 0];
    const [truthWasteUsd, ledgerWasteUsd] = [want?.wasteUsd ?? 0, got?.waste ?? 0];
    const [truthUsedGpuHours, ledgerUsedGpuHours] = [want?.usedGpuHours ?? 0, got?.used ?? 0];
    return {
      tenant,
      truthUsd,
      ledgerUsd,
      costError: relativeError(ledgerUsd, truthUsd),
      truthWasteUsd,
      ledgerWasteUsd,
      wasteError: relativeError(ledgerWasteUsd, truthWasteUsd),
      truthUsedGpuHours,
      ledgerUsedGpuHours,
      usageError: relativeError(ledgerUsedGpuHours, truthUsedGpuHours),
    };
  });
  const worst = (f: (t: TenantComparison) => number) => tenants.reduce((m, t) => Math.max(m, f(t)), 0);
  return {
    tenants,
    worstCostError: worst((t) => t.costError),
    worstWasteError: worst((t) => t.wasteError),
    truthUnallocatedUsd: truth.unallocatedUsd,
    ledgerUnallocatedUsd: report.totals.idleCostUsd,
    unallocatedError: relativeError(report.totals.idleCostUsd, truth.unallocatedUsd),
    truthUsedGpuHours: truth.usedGpuHours,
    ledgerUsedGpuHours: report.totals.usedGpuHours,
    usageError: relativeError(report.totals.usedGpuHours, truth.usedGpuHours),
    worstTenantUsageError: worst((t) => t.usageError),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

/** The one-line verdict, as `bench:accuracy` prints it last (issue 12): every figure that can be wrong. */
export const formatAccuracyLine = (c: LedgerVsTruth, faults: readonly string[]): string =>
  `accuracy: worst tenant cost error ${pct(c.worstCostError)}, worst tenant waste error ${pct(c.worstWasteError)}, ` +
  `unallocated idle error ${pct(c.unallocatedError)}, usage error ${pct(c.usageError)} over ${c.tenants.length} tenants; ` +
  `faults: ${faults.length > 0 ? faults.join(',') : 'none'}`;

/** A table a person reads: per tenant truth and ledger for cost, waste and used GPU-h; then the idle and the fleet's usage. */
export function formatComparisonTable(c: LedgerVsTruth): string[] {
  const money = (x: number) => x.toFixed(2).padStart(10);
  const lines = [
    `${'tenant'.padEnd(12)} ${'truth $'.padStart(10)} ${'ledger $'.padStart(10)} ${'error'.padStart(8)}   ${'waste truth'.padStart(11)} ${'ledger'.padStart(10)} ${'error'.padStart(8)}   ${'used GPU-h'.padStart(10)} ${'ledger'.padStart(10)} ${'error'.padStart(8)}`,
  ];
  for (const t of c.tenants)
    lines.push(
      `${t.tenant.padEnd(12)} ${money(t.truthUsd)} ${money(t.ledgerUsd)} ${pct(t.costError).padStart(8)}   ${money(t.truthWasteUsd).padStart(11)} ${money(t.ledgerWasteUsd)} ${pct(t.wasteError).padStart(8)}   ${t.truthUsedGpuHours.toFixed(3).padStart(10)} ${t.ledgerUsedGpuHours.toFixed(3).padStart(10)} ${pct(t.usageError).padStart(8)}`,
    );
  lines.push(
    `${'(unallocated)'.padEnd(12)} ${money(c.truthUnallocatedUsd)} ${money(c.ledgerUnallocatedUsd)} ${pct(c.unallocatedError).padStart(8)}`,
    `${'(used GPU-h)'.padEnd(12)} ${c.truthUsedGpuHours.toFixed(3).padStart(10)} ${c.ledgerUsedGpuHours.toFixed(3).padStart(10)} ${pct(c.usageError).padStart(8)}   (worst tenant ${pct(c.worstTenantUsageError)})`,
  );
  return lines;
}
