/**
 * Cost report: the ledger of a range grouped by any dimensions. `bucket` (workload | idle) is always
 * a dimension, so idle is its own row whatever the grouping (with idle sharing configured, the idle
 * rows name their receiving tenants). Ranges cover whole ledger windows only (cost-store.ts).
 *
 * Per group: costUsd, wasteUsd (allocated-but-unused, part of cost), allocated and used GPU-hours,
 * efficiency = used / allocated (null for idle, where nothing is allocated to anyone). Totals add the
 * fleet cost registered with the windows: Σ costUsd over the groups equals it.
 */
import { CostBucket, type CostBucket as Bucket } from '../../contracts/cost-ledger-row.ts';
import { COST_GROUP_KEYS, isLabelKey, type CostGroupKey, type CostRange, type CostStore } from '../store/cost-store.ts';

export interface CostReportQuery extends CostRange {
  readonly by: readonly CostGroupKey[];
}

export interface CostReportRow {
  readonly bucket: Bucket;
  /** Group key → value, in the order asked. */
  readonly keys: Readonly<Record<string, string>>;
  readonly costUsd: number;
  readonly wasteUsd: number;
  readonly allocatedGpuHours: number;
  readonly usedGpuHours: number;
  readonly efficiency: number | null;
}

export interface CostReportTotals {
  readonly costUsd: number;
  readonly workloadCostUsd: number;
  readonly idleCostUsd: number;
  readonly wasteUsd: number;
  readonly allocatedGpuHours: number;
  readonly usedGpuHours: number;
  /** Σ used / Σ allocated over workload rows. */
  readonly efficiency: number | null;
  /** Σ of the windows' fleet cost (GPUs × price × time); equals costUsd. */
  readonly fleetCostUsd: number;
  /** (cluster, window) computations in the range, and the problems they reported. */
  readonly windows: number;
  readonly problems: number;
}

export interface CostReport {
  readonly fromMs: number;
  readonly toMs: number;
  readonly by: readonly CostGroupKey[];
  readonly rows: readonly CostReportRow[];
  readonly totals: CostReportTotals;
}

/** `namespace,tenant,label:team` → keys; throws one Error naming every unknown key. */
export const parseCostGroupKeys = (text: string): CostGroupKey[] => {
  const keys = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const bad = keys.filter(
    (k) => !(COST_GROUP_KEYS as readonly string[]).includes(k) && !(k.startsWith('label:') && isLabelKey(k.slice(6))),
  );
  if (bad.length > 0) {
    throw new Error(
      `unknown grouping ${bad.map((k) => JSON.stringify(k)).join(', ')}: use ${COST_GROUP_KEYS.join(', ')} or label:<key> (a Kubernetes label key)`,
    );
  }
  if (new Set(keys).size !== keys.length) throw new Error(`grouping "${text}" names a key twice`);
  return keys as CostGroupKey[];
};

const ratio = (used: number, allocated: number): number | null => (allocated > 0 ? used / allocated : null);

export async function costReport(store: CostStore, query: CostReportQuery): Promise<CostReport> {
  const [groups, windows] = await Promise.all([store.aggregate(query, query.by), store.windows(query)]);
  const rows = groups.map((g): CostReportRow => ({
    bucket: g.bucket,
    keys: Object.fromEntries(query.by.map((k, i) => [k, g.keys[i] ?? ''])),
    costUsd: g.costUsd,
    wasteUsd: g.wasteUsd,
    allocatedGpuHours: g.allocatedGpuSeconds / 3600,
    usedGpuHours: g.usedGpuSeconds / 3600,
    efficiency: g.bucket === CostBucket.idle ? null : ratio(g.usedGpuSeconds, g.allocatedGpuSeconds),
  }));
  const sum = (xs: readonly CostReportRow[], f: (r: CostReportRow) => number) => xs.reduce((a, r) => a + f(r), 0);
  const workload = rows.filter((r) => r.bucket === CostBucket.workload);
  const idle = rows.filter((r) => r.bucket === CostBucket.idle);
  return {
    fromMs: query.fromMs,
    toMs: query.toMs,
    by: query.by,
    rows,
    totals: {
      costUsd: sum(rows, (r) => r.costUsd),
      workloadCostUsd: sum(workload, (r) => r.costUsd),
      idleCostUsd: sum(idle, (r) => r.costUsd),
      wasteUsd: sum(rows, (r) => r.wasteUsd),
      allocatedGpuHours: sum(rows, (r) => r.allocatedGpuHours),
      usedGpuHours: sum(rows, (r) => r.usedGpuHours),
      efficiency: ratio(
        sum(workload, (r) => r.usedGpuHours),
        sum(workload, (r) => r.allocatedGpuHours),
      ),
      fleetCostUsd: windows.reduce((a, w) => a + w.fleetCostUsd, 0),
      windows: windows.length,
      problems: windows.reduce((a, w) => a + w.problems.length, 0),
    },
  };
}
