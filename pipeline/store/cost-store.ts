/**
 * The cost ledger tables (migration 020): writing one computation of a window, and the reads the
 * reports need. Every read takes, per (cluster, window), only the latest computation registered in
 * cost_ledger_windows and collapses copies of a row by its key, so neither a recomputation nor a
 * retried insert is ever counted twice, merged or not (see the migration).
 */
import { type CostBucket, type CostLedgerRow, type PricingTier } from '../../contracts/cost-ledger-row.ts';
import {
  clusterFilter,
  currentLedgerRows,
  groupKeyExpr,
  latestComputations,
  rangeFilter,
  type CostGroupKey,
  type CostRange,
} from './cost-ledger-sql.ts';
import { createCostLedgerDays } from './cost-ledger-days.ts';
import type { SqlExecutor } from './executor.ts';
import { ledgerWhere, UNSCOPED, type LedgerScope } from './ledger-filter.ts';
import { commaJoin, date, ident, raw, sql, SqlValueError, str, toEpochSeconds, uint } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export { COST_GROUP_KEYS, isLabelKey, type CostGroupKey, type CostRange } from './cost-ledger-sql.ts';

/** One computation of one cluster's window. `computedAtMs` must exceed every earlier computation's. */
export interface LedgerComputation {
  readonly cluster: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly computedAtMs: number;
  readonly rows: readonly CostLedgerRow[];
  readonly fleetCostUsd: number;
  readonly problems: readonly string[];
}

export type LedgerWindow = Omit<LedgerComputation, 'rows'> & { readonly rowCount: number };

/** Sums of one group: `bucket` is always a dimension, so idle is its own group. */
export interface CostAggregate {
  readonly bucket: CostBucket;
  /** One value per requested key, in order. */
  readonly keys: readonly string[];
  readonly costUsd: number;
  readonly wasteUsd: number;
  readonly allocatedGpuSeconds: number;
  readonly usedGpuSeconds: number;
  readonly rows: number;
}

export interface PodCost {
  readonly cluster: string;
  readonly podUid: string;
  readonly tenant: string;
  readonly costUsd: number;
  readonly allocatedGpuSeconds: number;
}

/** Cost of one value of a dimension in one window. */
export interface WindowCost {
  readonly windowStartMs: number;
  readonly value: string;
  readonly costUsd: number;
}

/** Token counts of one model served by one pod ('' = pod unknown) over a range. */
export interface ModelTokens {
  readonly cluster: string;
  readonly model: string;
  readonly podUid: string;
  readonly requests: number;
  readonly promptTokens: number;
  readonly generationTokens: number;
}

export interface CostStore {
  write(computation: LedgerComputation): Promise<void>;
  /** The latest computation of each (cluster, window) in the range, by cluster then window. */
  windows(range: CostRange): Promise<LedgerWindow[]>;
  /** The current rows, narrowed to a scope (default: all), at most `limit` of them when given. */
  rows(range: CostRange, scope?: LedgerScope, limit?: number): Promise<CostLedgerRow[]>;
  aggregate(range: CostRange, by: readonly CostGroupKey[]): Promise<CostAggregate[]>;
  /** Workload cost per (cluster, pod, tenant): a pod split over tenants (shared namespaces) has several. */
  podCosts(range: CostRange, scope?: LedgerScope): Promise<PodCost[]>;
  /** Cost per window start and value of one dimension (all clusters; idle is its own value), for the cost-spike rule. */
  windowCosts(range: CostRange, by: CostGroupKey): Promise<WindowCost[]>;
  /** Model-server token deltas with observedAtMs in (fromMs, toMs], replayed samples counted once. */
  modelTokens(range: CostRange): Promise<ModelTokens[]>;
}

type Raw = Record<string, unknown>;
const num = (v: unknown): number => Number(v);

export function createCostStore(executor: SqlExecutor, config: { readonly database: string }): CostStore {
  const db = ident(config.database);
  const table = (name: string) => `${config.database}.${name}`;

  const days = createCostLedgerDays(executor, config);
  const current = (r: CostRange) => currentLedgerRows(db, r);
  const latest = (r: CostRange) => latestComputations(db, r);

  return {
    async write(c) {
      const window_start = toEpochSeconds(c.windowStartMs);
      const base = {
        window_start,
        window_start_ms: c.windowStartMs,
        window_end_ms: c.windowEndMs,
        cluster: c.cluster,
        computed_at_ms: c.computedAtMs,
      };
      await executor.insert(
        table('cost_ledger'),
        c.rows.map((r) => {
          if (r.cluster !== c.cluster || r.windowStartMs !== c.windowStartMs || r.windowEndMs !== c.windowEndMs) {
            throw new SqlValueError(
              `cost ledger row of ${r.cluster} [${r.windowStartMs}, ${r.windowEndMs}) is not in the computation of ${c.cluster} [${c.windowStartMs}, ${c.windowEndMs})`,
            );
          }
          const labels = Object.entries(r.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          return {
            ...base,
            node: r.node,
            gpu_model: r.gpuModel,
            pricing_tier: r.pricingTier,
            bucket: r.bucket,
            namespace: r.namespace,
            pod: r.pod,
            pod_uid: r.podUid,
            tenant: r.tenant,
            team: r.team,
            workload: r.workload,
            model: r.model,
            label_keys: labels.map(([k]) => k),
            label_values: labels.map(([, v]) => v),
            allocated_gpu_seconds: r.allocatedGpuSeconds,
            used_gpu_seconds: r.usedGpuSeconds,
            price_usd_per_gpu_hour: r.priceUsdPerGpuHour,
            cost_usd: r.costUsd,
            waste_usd: r.wasteUsd,
          };
        }),
      );
      // Registered last: until this row exists, readers keep using the previous computation.
      await executor.insert(table('cost_ledger_windows'), [
        { ...base, row_count: c.rows.length, fleet_cost_usd: c.fleetCostUsd, problems: c.problems },
      ]);
      // The day's pre-aggregation (migration 043) follows; readers check it against the windows above.
      await days.refresh(c.cluster, c.windowStartMs, c.computedAtMs);
    },

    async windows(r) {
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, window_start_ms, window_end_ms, computed_at_ms, row_count, fleet_cost_usd, problems
        FROM ${db}.cost_ledger_windows
        WHERE ${rangeFilter(r)} AND (cluster, window_start_ms, window_end_ms, computed_at_ms) IN (${raw(latest(r))})
        ORDER BY cluster, window_start_ms, window_end_ms
        LIMIT 1 BY cluster, window_start_ms, window_end_ms`);
      return rows.map((w) => ({
        cluster: String(w['cluster']),
        windowStartMs: toSafeNumber(w['window_start_ms'], 'window_start_ms'),
        windowEndMs: toSafeNumber(w['window_end_ms'], 'window_end_ms'),
        computedAtMs: toSafeNumber(w['computed_at_ms'], 'computed_at_ms'),
        rowCount: num(w['row_count']),
        fleetCostUsd: num(w['fleet_cost_usd']),
        problems: w['problems'] as string[],
      }));
    },

    async rows(r, scope = UNSCOPED, limit) {
      const rows = await executor.query<Raw>(
        sql`SELECT * FROM (${currentLedgerRows(db, r, ledgerWhere(scope, []))})
            ORDER BY cluster, window_start_ms, node, bucket DESC, pod_uid, tenant
            ${limit === undefined ? raw(sql``) : raw(sql`LIMIT ${uint(limit)}`)}`,
      );
      return rows.map((x): CostLedgerRow => {
        const keys = x['r_label_keys'] as string[];
        const values = x['r_label_values'] as string[];
        return {
          schemaVersion: 1,
          windowStartMs: toSafeNumber(x['window_start_ms'], 'window_start_ms'),
          windowEndMs: toSafeNumber(x['window_end_ms'], 'window_end_ms'),
          cluster: String(x['cluster']),
          node: String(x['node']),
          gpuModel: String(x['gpu_model']),
          pricingTier: x['pricing_tier'] as PricingTier,
          bucket: x['bucket'] as CostBucket,
          namespace: String(x['r_namespace']),
          pod: String(x['r_pod']),
          podUid: String(x['pod_uid']),
          tenant: String(x['tenant']),
          team: String(x['r_team']),
          workload: String(x['r_workload']),
          model: String(x['r_model']),
          labels: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ''])),
          allocatedGpuSeconds: num(x['r_alloc']),
          usedGpuSeconds: num(x['r_used']),
          priceUsdPerGpuHour: num(x['r_price']),
          costUsd: num(x['r_cost']),
          wasteUsd: num(x['r_waste']),
        };
      });
    },

    async aggregate(r, by) {
      const keys = commaJoin([
        raw(sql`bucket`),
        ...by.map((key, i) => raw(sql`${groupKeyExpr(key)} AS ${ident(`k${i}`)}`)),
      ]);
      const groups = commaJoin([raw(sql`bucket`), ...by.map((_, i) => ident(`k${i}`))]);
      const rows = await executor.query<Raw>(sql`
        SELECT ${keys}, sum(r_cost) AS cost_usd, sum(r_waste) AS waste_usd, sum(r_alloc) AS alloc_s, sum(r_used) AS used_s, count() AS n
        FROM (${current(r)})
        GROUP BY ${groups}
        ORDER BY cost_usd DESC, bucket DESC`);
      return rows.map((x) => ({
        bucket: x['bucket'] as CostBucket,
        keys: by.map((_, i) => String(x[`k${i}`])),
        costUsd: num(x['cost_usd']),
        wasteUsd: num(x['waste_usd']),
        allocatedGpuSeconds: num(x['alloc_s']),
        usedGpuSeconds: num(x['used_s']),
        rows: toSafeNumber(x['n'], 'rows'),
      }));
    },

    async podCosts(r, scope = UNSCOPED) {
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, pod_uid, tenant, sum(r_cost) AS cost_usd, sum(r_alloc) AS alloc_s
        FROM (${currentLedgerRows(db, r, ledgerWhere(scope, []))}) WHERE bucket = ${str('workload')}
        GROUP BY cluster, pod_uid, tenant ORDER BY cluster, pod_uid, tenant`);
      return rows.map((x) => ({
        cluster: String(x['cluster']),
        podUid: String(x['pod_uid']),
        tenant: String(x['tenant']),
        costUsd: num(x['cost_usd']),
        allocatedGpuSeconds: num(x['alloc_s']),
      }));
    },

    async windowCosts(r, by) {
      const rows = await executor.query<Raw>(sql`
        SELECT window_start_ms, ${groupKeyExpr(by)} AS k, sum(r_cost) AS cost_usd
        FROM (${current(r)})
        GROUP BY window_start_ms, k
        ORDER BY window_start_ms, k`);
      return rows.map((x) => ({
        windowStartMs: toSafeNumber(x['window_start_ms'], 'window_start_ms'),
        value: String(x['k']),
        costUsd: num(x['cost_usd']),
      }));
    },

    async modelTokens(r) {
      if (!(r.toMs > r.fromMs)) throw new SqlValueError(`cost range [${r.fromMs}, ${r.toMs}) is empty`);
      const cluster = clusterFilter(r);
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, model, pod_uid, sum(m_requests) AS requests, sum(m_prompt) AS prompt, sum(m_generation) AS generation
        FROM (
          SELECT cluster, node, server, model, pod_uid, observed_at_ms, agent_id,
                 any(requests_delta) AS m_requests, any(prompt_tokens_delta) AS m_prompt, any(generation_tokens_delta) AS m_generation
          FROM ${db}.model_server_samples
          WHERE date >= ${date(r.fromMs)} AND date <= ${date(r.toMs)}
            AND observed_at_ms > ${uint(r.fromMs)} AND observed_at_ms <= ${uint(r.toMs)} ${cluster}
          GROUP BY cluster, node, server, model, pod_uid, observed_at_ms, agent_id)
        GROUP BY cluster, model, pod_uid ORDER BY cluster, model, pod_uid`);
      return rows.map((x) => ({
        cluster: String(x['cluster']),
        model: String(x['model']),
        podUid: String(x['pod_uid']),
        requests: toSafeNumber(x['requests'], 'requests'),
        promptTokens: toSafeNumber(x['prompt'], 'prompt tokens'),
        generationTokens: toSafeNumber(x['generation'], 'generation tokens'),
      }));
    },
  };
}
