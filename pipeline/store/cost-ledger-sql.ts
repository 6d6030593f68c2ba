/**
 * The SQL every cost ledger read is built from (migration 020): the range filter, the latest
 * computation of each (cluster, window), the current rows (one per key, copies of a retried insert
 * collapsed) and the group-key expressions. cost-store.ts (CLI reports, the job) and
 * allocation-store.ts (the API) both read through `currentLedgerRows`, so the replay rules live once.
 */
import { IDLE_BUCKET, UNALLOCATED } from '../../contracts/cost-ledger-row.ts';
import { dateTime, ident, raw, sql, SqlValueError, str, uint, type SqlQuery, type SqlValue } from './sql.ts';

/** Ledger windows with windowStartMs ≥ fromMs and windowEndMs ≤ toMs (whole windows only). */
export interface CostRange {
  readonly fromMs: number;
  readonly toMs: number;
  readonly cluster?: string;
}

/** Report dimensions; `label:<key>` groups by a pod label (Kubernetes label-key syntax). */
export const COST_GROUP_KEYS = [
  'cluster',
  'node',
  'gpuModel',
  'pricingTier',
  'namespace',
  'pod',
  'tenant',
  'team',
  'workload',
  'model',
] as const;
export type CostGroupKey = (typeof COST_GROUP_KEYS)[number] | `label:${string}`;

/** `[prefix/]name`: prefix a DNS subdomain (≤ 253), name ≤ 63 alphanumerics with `-_.` inside. */
const LABEL_KEY =
  /^(?:(?=.{1,253}\/)[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/)?(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
export const isLabelKey = (key: string): boolean => LABEL_KEY.test(key);

/** `AND cluster = …` when the range names one cluster, else nothing. */
export const clusterFilter = (r: CostRange): SqlValue =>
  r.cluster === undefined ? raw(sql``) : raw(sql`AND cluster = ${str(r.cluster)}`);

/** Rows of the ledger tables whose window lies inside the range (both partition and exact bounds). */
export const rangeFilter = (r: CostRange): SqlValue => {
  if (!(r.toMs > r.fromMs)) throw new SqlValueError(`cost range [${r.fromMs}, ${r.toMs}) is empty`);
  return raw(sql`window_start >= ${dateTime(r.fromMs)} AND window_start <= ${dateTime(r.toMs)}
      AND window_start_ms >= ${uint(r.fromMs)} AND window_end_ms <= ${uint(r.toMs)} ${clusterFilter(r)}`);
};

/** (cluster, window_start_ms, window_end_ms, version) of the latest computation of each window in the range. */
export const latestComputations = (db: SqlValue, r: CostRange): SqlQuery => sql`
    SELECT cluster, window_start_ms, window_end_ms, max(computed_at_ms) AS latest_ms
    FROM ${db}.cost_ledger_windows WHERE ${rangeFilter(r)}
    GROUP BY cluster, window_start_ms, window_end_ms`;

/** The non-key columns of a current ledger row, by their r_ alias. */
const CURRENT_COLUMNS = {
  r_namespace: sql`any(namespace)`,
  r_pod: sql`any(pod)`,
  r_team: sql`any(team)`,
  r_workload: sql`any(workload)`,
  r_model: sql`any(model)`,
  r_label_keys: sql`any(label_keys)`,
  r_label_values: sql`any(label_values)`,
  r_alloc: sql`any(allocated_gpu_seconds)`,
  r_used: sql`any(used_gpu_seconds)`,
  r_price: sql`any(price_usd_per_gpu_hour)`,
  r_cost: sql`any(cost_usd)`,
  r_waste: sql`any(waste_usd)`,
} as const;
export type CurrentColumn = keyof typeof CURRENT_COLUMNS;
export const CURRENT_COLUMN_NAMES = Object.keys(CURRENT_COLUMNS) as CurrentColumn[];

/**
 * The latest computation's rows, one per key; non-key columns prefixed r_ (18.16 substitutes
 * same-named aliases). `where` narrows the rows before they are collapsed (a scope, a filter);
 * `columns` picks the non-key columns (all by default; 18.16 reads every column a subquery names).
 */
export const currentLedgerRows = (
  db: SqlValue,
  r: CostRange,
  where: SqlValue = raw(sql`1`),
  columns: readonly CurrentColumn[] = CURRENT_COLUMN_NAMES,
): SqlValue =>
  raw(sql`
    SELECT cluster, window_start_ms, window_end_ms, node, gpu_model, pricing_tier, bucket, pod_uid, tenant
           ${raw(columns.reduce((a, c) => sql`${raw(a)}, ${raw(CURRENT_COLUMNS[c])} AS ${ident(c)}`, sql``))}
    FROM ${db}.cost_ledger
    WHERE ${rangeFilter(r)} AND (${where})
      AND (cluster, window_start_ms, window_end_ms, computed_at_ms) IN (${raw(latestComputations(db, r))})
    GROUP BY cluster, window_start_ms, window_end_ms, node, gpu_model, pricing_tier, bucket, pod_uid, tenant`);

/** The r_ columns a grouping by these keys reads (besides the key columns). */
export const columnsForKeys = (by: readonly CostGroupKey[]): Exclude<CurrentColumn, 'r_price'>[] => {
  const need = new Set<CurrentColumn>();
  for (const key of by) {
    if (key.startsWith('label:')) need.add('r_label_keys').add('r_label_values');
    else if (key === 'pod') need.add('r_pod').add('r_namespace');
    else if (key === 'namespace' || key === 'team' || key === 'workload' || key === 'model') need.add(`r_${key}`);
  }
  return CURRENT_COLUMN_NAMES.filter((c): c is Exclude<CurrentColumn, 'r_price'> => need.has(c));
};

const idleOr = (expr: SqlQuery): SqlValue => raw(sql`if(bucket = ${str('idle')}, ${str(IDLE_BUCKET)}, ${raw(expr)})`);

/** A label's value in the `r_label_*` columns, UNALLOCATED when the row has no such label. */
export const labelValue = (name: string, keys: SqlValue, values: SqlValue): SqlQuery => {
  if (!isLabelKey(name)) throw new SqlValueError(`${JSON.stringify(name)} is not a Kubernetes label key`);
  return sql`if(has(${keys}, ${str(name)}), arrayElement(${values}, indexOf(${keys}, ${str(name)})), ${str(UNALLOCATED)})`;
};

/**
 * The expression of a group key over current rows (`r_` columns): idle rows group as IDLE_BUCKET
 * by label and model; `pod` is `namespace/pod` for workloads.
 */
export const groupKeyExpr = (key: CostGroupKey): SqlValue => {
  if (key.startsWith('label:')) {
    const name = key.slice('label:'.length);
    if (!isLabelKey(name))
      throw new SqlValueError(
        `group key ${JSON.stringify(key)}: ${JSON.stringify(name)} is not a Kubernetes label key`,
      );
    return idleOr(labelValue(name, ident('r_label_keys'), ident('r_label_values')));
  }
  const columns: Record<(typeof COST_GROUP_KEYS)[number], SqlQuery> = {
    cluster: sql`cluster`,
    node: sql`node`,
    gpuModel: sql`gpu_model`,
    pricingTier: sql`pricing_tier`,
    namespace: sql`r_namespace`,
    pod: sql`if(bucket = ${str('idle')}, r_pod, concat(r_namespace, '/', r_pod))`,
    tenant: sql`tenant`,
    team: sql`r_team`,
    workload: sql`r_workload`,
    model: sql`if(r_model = '', ${str(UNALLOCATED)}, r_model)`,
  };
  const column = columns[key as (typeof COST_GROUP_KEYS)[number]] as SqlQuery | undefined;
  if (column === undefined)
    throw new SqlValueError(
      `unknown group key ${JSON.stringify(key)} (use ${COST_GROUP_KEYS.join(', ')} or label:<key>)`,
    );
  return key === 'model' ? idleOr(column) : raw(column);
};
