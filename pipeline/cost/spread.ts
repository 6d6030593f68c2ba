/**
 * Splitting one ledger row among receivers by weight, keeping every additive field proportional
 * (GPU-seconds, cost, waste) so that the parts sum back to the row. Used for shared namespaces and
 * for idle sharing.
 */
import type { CostLedgerRow } from '../../contracts/cost-ledger-row.ts';

export interface Receiver {
  readonly tenant: string;
  readonly weight: number;
}

/** Receivers with positive weight, by tenant, in a stable order. */
export const weightsByTenant = (rows: readonly CostLedgerRow[], mode: 'weighted' | 'even'): Receiver[] => {
  const w = new Map<string, number>();
  for (const r of rows) w.set(r.tenant, (w.get(r.tenant) ?? 0) + (mode === 'even' ? 1 : r.allocatedGpuSeconds));
  return [...w]
    .filter(([, weight]) => weight > 0)
    .map(([tenant]) => ({ tenant, weight: mode === 'even' ? 1 : (w.get(tenant) ?? 0) }))
    .sort((a, b) => a.tenant.localeCompare(b.tenant));
};

/** The row split into one row per receiver (tenant replaced). No receivers: the row unchanged. */
export const spreadRow = (
  row: CostLedgerRow,
  receivers: readonly Receiver[],
  team: (tenant: string) => string,
): CostLedgerRow[] => {
  const total = receivers.reduce((s, r) => s + r.weight, 0);
  if (!(total > 0)) return [row];
  return receivers.map((r) => {
    const f = r.weight / total;
    return {
      ...row,
      tenant: r.tenant,
      team: team(r.tenant),
      allocatedGpuSeconds: row.allocatedGpuSeconds * f,
      usedGpuSeconds: row.usedGpuSeconds * f,
      costUsd: row.costUsd * f,
      wasteUsd: row.wasteUsd * f,
    };
  });
};
