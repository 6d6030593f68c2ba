import { DATABASE_VARIABLE, type DashboardSpec } from './dashboard-spec.ts';
import { bucket, when } from './sql-fragments.ts';

const LEDGER = '$database.cost_ledger_current';
const ROWS = `$__timeFilter(window_start) AND ${when('cluster', 'cluster')} AND ${when('tenant', 'tenant')}
  AND ${when('namespace', 'namespace')} AND ${when('gpu_model', 'gpu_model')}`;
/** The ledger's windows are hours: a finer bucket would only show each hour at its start. */
const HOURLY = bucket('window_start', 3600);
const WORKLOAD = `bucket = 'workload'`;

/** Cost: who pays for which GPU time, what sits idle, what is allocated but unused, $ per 1M tokens. */
export const COST_DASHBOARD: DashboardSpec = {
  uid: 'gpu-ledger-cost',
  title: 'GPU Ledger — Cost',
  description:
    'GPU cost by tenant, team, namespace and model over time; the two kinds of idle (unallocated, allocated but unused); efficiency; $ per 1M tokens.',
  tags: ['gpu-ledger', 'gpu', 'cost', 'finops'],
  variables: [
    DATABASE_VARIABLE,
    {
      name: 'cluster',
      label: 'Cluster',
      sql: `SELECT DISTINCT cluster FROM ${LEDGER} WHERE $__timeFilter(window_start) ORDER BY cluster`,
    },
    {
      name: 'tenant',
      label: 'Tenant',
      sql: `SELECT DISTINCT tenant FROM ${LEDGER} WHERE $__timeFilter(window_start) ORDER BY tenant`,
    },
    {
      name: 'namespace',
      label: 'Namespace',
      sql: `SELECT DISTINCT namespace FROM ${LEDGER} WHERE $__timeFilter(window_start) AND ${WORKLOAD}
  AND ${when('tenant', 'tenant')} ORDER BY namespace`,
    },
    {
      name: 'gpu_model',
      label: 'GPU model',
      sql: `SELECT DISTINCT gpu_model FROM ${LEDGER} WHERE $__timeFilter(window_start) ORDER BY gpu_model`,
    },
  ],
  panels: [
    {
      title: 'GPU cost',
      description: 'Every dollar of the selected GPUs’ time: workloads plus idle.',
      kind: 'stat',
      sql: `SELECT sum(cost_usd) AS cost_usd FROM ${LEDGER} WHERE ${ROWS}`,
      columns: ['number'],
      unit: 'currencyUSD',
      width: 6,
      height: 4,
    },
    {
      title: 'Unallocated idle',
      description: 'Cost of GPU time no pod held (the idle bucket).',
      kind: 'stat',
      sql: `SELECT sumIf(cost_usd, bucket = 'idle') AS idle_usd FROM ${LEDGER} WHERE ${ROWS}`,
      columns: ['number'],
      unit: 'currencyUSD',
      width: 6,
      height: 4,
    },
    {
      title: 'Allocated but unused',
      description: 'Waste: the part of the workloads’ cost their GPUs spent idle.',
      kind: 'stat',
      sql: `SELECT sumIf(waste_usd, ${WORKLOAD}) AS waste_usd FROM ${LEDGER} WHERE ${ROWS}`,
      columns: ['number'],
      unit: 'currencyUSD',
      width: 6,
      height: 4,
    },
    {
      title: 'Efficiency',
      description: 'Used GPU-hours over allocated GPU-hours of the workloads.',
      kind: 'stat',
      sql: `SELECT 100 * sumIf(used_gpu_seconds, ${WORKLOAD}) / greatest(sumIf(allocated_gpu_seconds, ${WORKLOAD}), 1e-9) AS efficiency_pct
FROM ${LEDGER} WHERE ${ROWS}`,
      columns: ['number'],
      unit: 'percent',
      width: 6,
      height: 4,
    },
    {
      title: 'Cost by tenant',
      description: 'Hourly GPU cost per tenant; idle GPU time is the __idle__ tenant.',
      kind: 'timeseries',
      sql: `SELECT ${HOURLY}, tenant, sum(cost_usd) AS cost_usd FROM ${LEDGER} WHERE ${ROWS} GROUP BY time, tenant ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'currencyUSD',
    },
    {
      title: 'Cost by namespace',
      description: 'Hourly GPU cost of the workloads per namespace.',
      kind: 'timeseries',
      sql: `SELECT ${HOURLY}, namespace, sum(cost_usd) AS cost_usd FROM ${LEDGER} WHERE ${ROWS} AND ${WORKLOAD}
GROUP BY time, namespace ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'currencyUSD',
    },
    {
      title: 'Idle: unallocated vs allocated but unused',
      description: 'The two kinds of idle cost: GPU time no pod held, and held GPU time the pods did not use.',
      kind: 'piechart',
      sql: `SELECT 'unallocated' AS idle_kind, sumIf(cost_usd, bucket = 'idle') AS usd FROM ${LEDGER} WHERE ${ROWS}
UNION ALL
SELECT 'allocated but unused' AS idle_kind, sumIf(waste_usd, ${WORKLOAD}) AS usd FROM ${LEDGER} WHERE ${ROWS}`,
      columns: ['string', 'number'],
      unit: 'currencyUSD',
      width: 8,
    },
    {
      title: 'Cost by team',
      description: 'GPU cost of the workloads per team in the range.',
      kind: 'barchart',
      sql: `SELECT team, sum(cost_usd) AS cost_usd FROM ${LEDGER} WHERE ${ROWS} AND ${WORKLOAD}
GROUP BY team ORDER BY cost_usd DESC, team`,
      columns: ['string', 'number'],
      unit: 'currencyUSD',
      width: 8,
    },
    {
      title: 'Cost by GPU model',
      description: 'GPU cost per catalog model and pricing tier, idle included.',
      kind: 'barchart',
      sql: `SELECT concat(gpu_model, ' (', pricing_tier, ')') AS gpu, sum(cost_usd) AS cost_usd FROM ${LEDGER} WHERE ${ROWS}
GROUP BY gpu ORDER BY cost_usd DESC, gpu`,
      columns: ['string', 'number'],
      unit: 'currencyUSD',
      width: 8,
    },
    {
      title: 'Tenants',
      description: 'Per tenant: cost, waste, allocated and used GPU-hours, efficiency.',
      kind: 'table',
      sql: `SELECT tenant, sum(cost_usd) AS cost_usd, sum(waste_usd) AS waste_usd,
  sum(allocated_gpu_seconds) / 3600 AS allocated_gpu_hours, sum(used_gpu_seconds) / 3600 AS used_gpu_hours,
  100 * sum(used_gpu_seconds) / greatest(sum(allocated_gpu_seconds), 1e-9) AS efficiency_pct
FROM ${LEDGER} WHERE ${ROWS} GROUP BY tenant ORDER BY cost_usd DESC, tenant`,
      columns: ['string', 'number', 'number', 'number', 'number', 'number'],
      width: 12,
    },
    {
      title: '$ per 1M tokens by model',
      description:
        'Ledger cost of the pods serving each model over the tokens they generated (a pod serving several models counts fully for each: `gpu-ledger cost models` splits it).',
      kind: 'table',
      sql: `SELECT model, sum(pod_cost_usd) AS cost_usd, sum(tokens) AS generated_tokens,
  sum(pod_cost_usd) / greatest(sum(tokens), 1) * 1000000 AS usd_per_1m_generated_tokens
FROM
(
  SELECT cluster, pod_uid, sum(cost_usd) AS pod_cost_usd FROM ${LEDGER} WHERE ${ROWS} AND ${WORKLOAD}
  GROUP BY cluster, pod_uid
) AS pods ALL INNER JOIN
(
  SELECT cluster, pod_uid, model, sum(generation_tokens_delta) AS tokens
  FROM $database.model_server_samples FINAL
  WHERE $__timeFilter(ts) AND pod_uid != '' AND ${when('cluster', 'cluster')}
  GROUP BY cluster, pod_uid, model
) AS served USING (cluster, pod_uid)
GROUP BY model ORDER BY cost_usd DESC, model`,
      columns: ['string', 'number', 'number', 'number'],
      width: 12,
    },
  ],
};
