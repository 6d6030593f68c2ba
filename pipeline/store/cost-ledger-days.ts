/**
 * The daily pre-aggregation of the cost ledger (migration 043): a cache that readers use only where
 * it provably matches the ledger. `refresh` rebuilds one (cluster, day) from the ledger's current
 * rows; `freshDays` says which (cluster, day) pairs may be read from it (their registered
 * fingerprint still equals the ledger's); `currentDailyRows` reads them with the column names of
 * `currentLedgerRows` (cost-ledger-sql.ts) plus first_ms / last_ms.
 */
import { currentLedgerRows, latestComputations, type CurrentColumn } from './cost-ledger-sql.ts';
import type { SqlExecutor } from './executor.ts';
import { date, ident, list, raw, sql, str, uint, type SqlValue } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** Days are numbered as ClickHouse's Date: days since 1970-01-01 (UTC). */
export const DAY_MS = 86_400_000;

export interface CostLedgerDays {
  /**
   * Rebuilds the day holding `dayStartMs` for the cluster. Its version is `computedAtMs`, or one more
   * than the day's previous refresh when that is not smaller (a job run computes many windows of a
   * day at one instant).
   */
  refresh(cluster: string, dayStartMs: number, computedAtMs: number): Promise<void>;
  /**
   * Of the whole UTC days in [fromMs, toMs), those whose pre-aggregation matches the ledger now for
   * every cluster with ledger windows that day (day numbers, ascending).
   */
  freshDays(fromMs: number, toMs: number): Promise<number[]>;
}

/** Ranges whose freshness is kept (the API's windows move hourly: a few dozen at most are live). */
const MAX_CACHED_RANGES = 64;

type Raw = Record<string, unknown>;
const key = (cluster: string, day: number) => `${day}\u0000${cluster}`;

/** The daily table's column behind each r_ column of a current ledger row (price has none: it varies in a day). */
const DAILY_COLUMNS: Readonly<Record<Exclude<CurrentColumn, 'r_price'>, string>> = {
  r_namespace: 'namespace',
  r_pod: 'pod',
  r_team: 'team',
  r_workload: 'workload',
  r_model: 'model',
  r_label_keys: 'label_keys',
  r_label_values: 'label_values',
  r_alloc: 'allocated_gpu_seconds',
  r_used: 'used_gpu_seconds',
  r_cost: 'cost_usd',
  r_waste: 'waste_usd',
};

const inDays = (days: readonly number[]): SqlValue =>
  raw(sql`day >= ${date(Math.min(...days) * DAY_MS)} AND day <= ${date(Math.max(...days) * DAY_MS)}
    AND toUInt32(day) IN ${list(days.map((d) => uint(d)))}`);

/** (cluster, day, version) of the latest registered refresh of each of the days. */
const latestRefreshes = (db: SqlValue, days: readonly number[]): SqlValue =>
  raw(
    sql`SELECT cluster, day, max(computed_at_ms) FROM ${db}.cost_ledger_days WHERE ${inDays(days)} GROUP BY cluster, day`,
  );

/**
 * The rows of the latest registered refresh of each of the days (all clusters), named as
 * `currentLedgerRows` names them, plus first_ms / last_ms. A refresh's rows are one per key (its
 * INSERT … SELECT groups by the key and is never retried), so nothing needs collapsing here.
 */
export const currentDailyRows = (
  db: SqlValue,
  days: readonly number[],
  where: SqlValue,
  columns: readonly Exclude<CurrentColumn, 'r_price'>[],
): SqlValue =>
  raw(sql`
    SELECT cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant
           ${raw(columns.reduce((a, c) => sql`${raw(a)}, ${ident(DAILY_COLUMNS[c])} AS ${ident(c)}`, sql``))},
           first_window_start_ms AS first_ms, last_window_end_ms AS last_ms
    FROM ${db}.cost_ledger_daily
    WHERE ${inDays(days)} AND (${where}) AND (cluster, day, computed_at_ms) IN (${latestRefreshes(db, days)})`);

export function createCostLedgerDays(executor: SqlExecutor, config: { readonly database: string }): CostLedgerDays {
  const db = ident(config.database);
  const table = (name: string) => `${config.database}.${name}`;

  /** Per (cluster, day): how many windows and the sum of their latest versions (cost_ledger_windows). */
  const ledgerFingerprints = async (fromMs: number, toMs: number, cluster?: string) =>
    executor.query<Raw>(sql`
      SELECT cluster, intDiv(window_start_ms, ${uint(DAY_MS)}) AS d, count() AS n, sum(latest_ms) AS s
      FROM (${raw(latestComputations(db, { fromMs, toMs, ...(cluster === undefined ? {} : { cluster }) }))})
      GROUP BY cluster, d`);

  const cache = new Map<string, { probe: string; days: number[] }>();
  /** The active parts of the ledger's window registry and the daily tables, as one fingerprint. */
  const partsProbe = async (): Promise<string> => {
    const [row] = await executor.query<Raw>(sql`
      SELECT count() AS n, sum(cityHash64(table, name)) AS h FROM system.parts
      WHERE database = ${str(config.database)} AND active
        AND table IN ${list([str('cost_ledger_windows'), str('cost_ledger_days'), str('cost_ledger_daily')])}`);
    return `${String(row?.['n'])}/${String(row?.['h'])}`;
  };

  return {
    async refresh(cluster, dayStartMs, atMs) {
      const fromMs = Math.floor(dayStartMs / DAY_MS) * DAY_MS;
      const range = { fromMs, toMs: fromMs + DAY_MS, cluster };
      const [previous] = await executor.query<Raw>(sql`
        SELECT max(computed_at_ms) AS v FROM ${db}.cost_ledger_days WHERE day = ${date(fromMs)} AND cluster = ${str(cluster)}`);
      const computedAtMs = Math.max(atMs, toSafeNumber(previous?.['v'] ?? 0, 'version') + 1);
      // The fingerprint first: rows read after it are at least as new, so a mismatch can only hide the day.
      const [print] = await ledgerFingerprints(range.fromMs, range.toMs, cluster);
      await executor.command(sql`
        INSERT INTO ${db}.cost_ledger_daily
          (day, cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant, namespace, pod, team, workload, model,
           label_keys, label_values, allocated_gpu_seconds, used_gpu_seconds, cost_usd, waste_usd,
           first_window_start_ms, last_window_end_ms, computed_at_ms)
        SELECT ${date(fromMs)}, cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant,
               any(r_namespace), any(r_pod), any(r_team), any(r_workload), any(r_model), any(r_label_keys), any(r_label_values),
               sum(r_alloc), sum(r_used), sum(r_cost), sum(r_waste), min(window_start_ms), max(window_end_ms), ${uint(computedAtMs)}
        FROM (${currentLedgerRows(db, range)})
        GROUP BY cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant`);
      const [count] = await executor.query<Raw>(sql`
        SELECT count() AS n FROM ${db}.cost_ledger_daily
        WHERE day = ${date(fromMs)} AND cluster = ${str(cluster)} AND computed_at_ms = ${uint(computedAtMs)}`);
      await executor.insert(table('cost_ledger_days'), [
        {
          day: new Date(fromMs).toISOString().slice(0, 10),
          cluster,
          windows: print ? toSafeNumber(print['n'], 'windows') : 0,
          windows_version_sum: print ? String(print['s']) : '0',
          row_count: count ? toSafeNumber(count['n'], 'rows') : 0,
          computed_at_ms: computedAtMs,
        },
      ]);
    },

    async freshDays(fromMs, toMs) {
      const firstDay = Math.ceil(fromMs / DAY_MS);
      const endDay = Math.floor(toMs / DAY_MS);
      if (endDay <= firstDay) return [];
      // Any write or merge of the three tables the answer rests on makes new parts: while their active
      // parts are the same, the answer is too (probed before it is computed, so a change during it is seen next time).
      const probe = await partsProbe();
      const rangeKey = `${firstDay}-${endDay}`;
      const hit = cache.get(rangeKey);
      if (hit !== undefined && hit.probe === probe) return hit.days;
      const days = await computeFreshDays(firstDay, endDay);
      if (cache.size >= MAX_CACHED_RANGES) cache.clear();
      cache.set(rangeKey, { probe, days });
      return days;
    },
  };

  async function computeFreshDays(firstDay: number, endDay: number): Promise<number[]> {
    const candidates = Array.from({ length: endDay - firstDay }, (_, i) => firstDay + i);
    const [ledger, registered, stored] = await Promise.all([
      ledgerFingerprints(firstDay * DAY_MS, endDay * DAY_MS),
      executor.query<Raw>(sql`
          SELECT cluster, toUInt32(day) AS d, argMax(windows, computed_at_ms) AS n,
                 argMax(windows_version_sum, computed_at_ms) AS s, argMax(row_count, computed_at_ms) AS rows
          FROM ${db}.cost_ledger_days WHERE ${inDays(candidates)}
          GROUP BY cluster, d`),
      // A later refresh that died before registering can have merged rows away (ReplacingMergeTree):
      // a day is served only while its registered refresh still has all its rows.
      executor.query<Raw>(sql`
          SELECT cluster, toUInt32(day) AS d, count() AS rows FROM ${db}.cost_ledger_daily
          WHERE ${inDays(candidates)} AND (cluster, day, computed_at_ms) IN (${latestRefreshes(db, candidates)})
          GROUP BY cluster, d`),
    ]);
    const print = (r: Raw) => `${String(r['n'])}/${String(r['s'])}`;
    const rowsOf = new Map(stored.map((r) => [key(String(r['cluster']), Number(r['d'])), Number(r['rows'])]));
    const refreshed = new Map(
      registered
        .filter((r) => (rowsOf.get(key(String(r['cluster']), Number(r['d']))) ?? 0) === Number(r['rows']))
        .map((r) => [key(String(r['cluster']), Number(r['d'])), print(r)]),
    );
    const stale = new Set<number>();
    const withData = new Set<number>();
    for (const r of ledger) {
      withData.add(Number(r['d']));
      if (refreshed.get(key(String(r['cluster']), Number(r['d']))) !== print(r)) stale.add(Number(r['d']));
    }
    return [...withData].filter((d) => !stale.has(d)).sort((a, b) => a - b);
  }
}
