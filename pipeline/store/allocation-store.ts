/**
 * The API's cost ledger reads (api/routes/allocation.ts): the current ledger of a range, narrowed
 * by a scope and conditions (ledger-filter.ts), summed per step × group keys (× node on request).
 * Whole UTC days whose daily pre-aggregation matches the ledger (cost-ledger-days.ts) are read from
 * it; every other part of the range from the hourly ledger. Both give the same sums.
 */
import type { CostBucket } from '../../contracts/cost-ledger-row.ts';
import { columnsForKeys, currentLedgerRows, groupKeyExpr, type CostGroupKey } from './cost-ledger-sql.ts';
import { createCostLedgerDays, currentDailyRows, DAY_MS } from './cost-ledger-days.ts';
import type { SqlExecutor } from './executor.ts';
import { ledgerWhere, type LedgerCondition, type LedgerScope } from './ledger-filter.ts';
import { commaJoin, ident, list, raw, sql, SqlValueError, str, uint } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export const HOUR_MS = 3_600_000;

export interface AllocationQuery {
  /** Whole hours: fromMs and toMs multiples of an hour, stepMs a multiple of an hour. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Steps end at toMs and go back (OpenCost's order); the earliest may be shorter. */
  readonly stepMs: number;
  readonly by: readonly CostGroupKey[];
  /** Also group by node (idle by node, idle shared per node). */
  readonly byNode: boolean;
  readonly scope: LedgerScope;
  readonly conditions: readonly LedgerCondition[];
  /** At most this many groups are read; `truncated` says when there were more. */
  readonly maxGroups: number;
}

export interface AllocationGroup {
  /** 0 = the step ending at toMs, 1 the one before, … */
  readonly step: number;
  readonly bucket: CostBucket;
  readonly keys: readonly string[];
  /** '' unless byNode. */
  readonly node: string;
  readonly costUsd: number;
  readonly wasteUsd: number;
  readonly allocatedGpuSeconds: number;
  readonly usedGpuSeconds: number;
  /** First window start and last window end of the group's rows. */
  readonly startMs: number;
  readonly endMs: number;
  /** A pod uid of the group (for per-pod details) and how many distinct ones it has. */
  readonly podUid: string;
  readonly pods: number;
  readonly gpuModels: readonly string[];
}

export interface AllocationResult {
  readonly groups: readonly AllocationGroup[];
  readonly truncated: boolean;
  /** UTC days read from the daily pre-aggregation (the rest from the hourly ledger). */
  readonly daysPreAggregated: number;
}

/** What the pod lifecycle says of a pod: its MIG profile ('' when not a MIG request) and owner kind. */
export interface PodDetails {
  readonly migProfile: string | null;
  readonly controllerKind: string;
}

export interface AllocationStore {
  allocation(query: AllocationQuery): Promise<AllocationResult>;
  /** Details of these pods (at most a few thousand: the uids of one response). */
  podDetails(podUids: readonly string[]): Promise<Map<string, PodDetails>>;
}

type Raw = Record<string, unknown>;

/** Whole days inside the range that no step boundary cuts: the days the pre-aggregation can serve. */
export const servableDays = (q: Pick<AllocationQuery, 'fromMs' | 'toMs' | 'stepMs'>): [number, number][] => {
  const out: [number, number][] = [];
  const stepOf = (t: number) => Math.floor((q.toMs - 1 - t) / q.stepMs);
  for (let d = Math.ceil(q.fromMs / DAY_MS) * DAY_MS; d + DAY_MS <= q.toMs; d += DAY_MS) {
    if (stepOf(d) === stepOf(d + DAY_MS - 1)) out.push([d, d + DAY_MS]);
  }
  return out;
};

/** The parts of the range outside the pre-aggregated days, as contiguous ranges (at least one, for the shape). */
const hourlyRanges = (q: AllocationQuery, freshDays: readonly number[]): { fromMs: number; toMs: number }[] => {
  const out: { fromMs: number; toMs: number }[] = [];
  let from = q.fromMs;
  for (const d of freshDays) {
    if (d * DAY_MS > from) out.push({ fromMs: from, toMs: d * DAY_MS });
    from = (d + 1) * DAY_MS;
  }
  if (q.toMs > from) out.push({ fromMs: from, toMs: q.toMs });
  return out.length > 0 || freshDays.length > 0 ? out : [{ fromMs: q.fromMs, toMs: q.toMs }];
};

export function createAllocationStore(executor: SqlExecutor, config: { readonly database: string }): AllocationStore {
  const db = ident(config.database);
  const days = createCostLedgerDays(executor, config);

  return {
    async allocation(q) {
      for (const [name, v] of [
        ['fromMs', q.fromMs],
        ['toMs', q.toMs],
        ['stepMs', q.stepMs],
      ] as const) {
        if (!Number.isSafeInteger(v) || v % HOUR_MS !== 0) throw new SqlValueError(`${name} ${v} is not whole hours`);
      }
      if (!(q.toMs > q.fromMs) || q.stepMs <= 0) throw new SqlValueError(`allocation range is empty`);
      const servable = servableDays(q);
      const fresh =
        servable.length === 0
          ? []
          : (await days.freshDays(servable[0]?.[0] ?? 0, servable[servable.length - 1]?.[1] ?? 0)).filter((d) =>
              servable.some(([from]) => from === d * DAY_MS),
            );
      const where = ledgerWhere(q.scope, q.conditions);
      const columns = [...columnsForKeys(q.by), 'r_alloc', 'r_used', 'r_cost', 'r_waste'] as const;
      const names = raw(columns.reduce((a, c) => sql`${raw(a)}, ${ident(c)}`, sql``));
      const hourly = hourlyRanges(q, fresh).map((range) =>
        raw(sql`
        SELECT cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant ${names},
               window_start_ms AS first_ms, window_end_ms AS last_ms
        FROM (${currentLedgerRows(db, range, where, columns)})`),
      );
      const daily = fresh.length === 0 ? [] : [currentDailyRows(db, fresh, where, columns)];
      const source = [...hourly, ...daily].reduce((a, b) => raw(sql`${a} UNION ALL ${b}`));

      const step = raw(sql`intDiv(${uint(q.toMs)} - 1 - first_ms, ${uint(q.stepMs)})`);
      const keyColumns = q.by.map((key, i) => raw(sql`${groupKeyExpr(key)} AS ${ident(`k${i}`)}`));
      const node = q.byNode ? raw(sql`node`) : raw(sql`''`);
      const groupBy = commaJoin([
        ident('step'),
        ident('bucket'),
        ident('g_node'),
        ...q.by.map((_, i) => ident(`k${i}`)),
      ]);
      const rows = await executor.query<Raw>(sql`
        SELECT ${step} AS step, bucket, ${node} AS g_node, ${commaJoin([raw(sql`1`), ...keyColumns])},
               sum(r_cost) AS cost_usd, sum(r_waste) AS waste_usd, sum(r_alloc) AS alloc_s, sum(r_used) AS used_s,
               min(first_ms) AS start_ms, max(last_ms) AS end_ms, any(pod_uid) AS any_pod, uniqExact(pod_uid) AS pods,
               groupUniqArray(gpu_model) AS gpu_models
        FROM (${source})
        GROUP BY ${groupBy}
        ORDER BY step, cost_usd DESC, bucket DESC
        LIMIT ${uint(q.maxGroups + 1)}`);
      return {
        truncated: rows.length > q.maxGroups,
        daysPreAggregated: fresh.length,
        groups: rows.slice(0, q.maxGroups).map((x) => ({
          step: toSafeNumber(x['step'], 'step'),
          bucket: x['bucket'] as CostBucket,
          keys: q.by.map((_, i) => String(x[`k${i}`])),
          node: String(x['g_node']),
          costUsd: Number(x['cost_usd']),
          wasteUsd: Number(x['waste_usd']),
          allocatedGpuSeconds: Number(x['alloc_s']),
          usedGpuSeconds: Number(x['used_s']),
          startMs: toSafeNumber(x['start_ms'], 'start_ms'),
          endMs: toSafeNumber(x['end_ms'], 'end_ms'),
          podUid: String(x['any_pod']),
          pods: toSafeNumber(x['pods'], 'pods'),
          gpuModels: (x['gpu_models'] as string[]).slice().sort(),
        })),
      };
    },

    async podDetails(podUids) {
      if (podUids.length === 0) return new Map();
      const rows = await executor.query<Raw>(sql`
        SELECT pod_uid, anyIf(gpu_request_mig_profile, gpu_request_kind = 'mig') AS mig, any(owner_kind) AS kind
        FROM ${db}.pod_events WHERE pod_uid IN ${list(podUids.map(str))} GROUP BY pod_uid`);
      return new Map(
        rows.map((r) => [
          String(r['pod_uid']),
          { migProfile: String(r['mig']) === '' ? null : String(r['mig']), controllerKind: String(r['kind']) },
        ]),
      );
    },
  };
}
