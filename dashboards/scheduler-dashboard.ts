import { DATABASE_VARIABLE, type DashboardSpec } from './dashboard-spec.ts';
import { bucket, when } from './sql-fragments.ts';

const LEDGER = '$database.cost_ledger_current';
const ROWS = `$__timeFilter(window_start) AND ${when('cluster', 'cluster')}`;

/** Each recommendation's latest content and latest status (recommendation-store.ts reads them the same way). */
const RECOMMENDATIONS = `(
  SELECT c.cluster AS cluster, c.id AS id, rec_kind, rec_tenant, rec_namespace, rec_workload, saving_usd, created_ms,
    st.rec_status AS rec_status, st.realised_usd AS realised_usd
  FROM
  (
    SELECT cluster, id, argMax(kind, computed_at_ms) AS rec_kind, argMax(ifNull(tenant, ''), computed_at_ms) AS rec_tenant,
      argMax(ifNull(namespace, ''), computed_at_ms) AS rec_namespace, argMax(ifNull(workload, ''), computed_at_ms) AS rec_workload,
      argMax(estimated_monthly_saving_usd, computed_at_ms) AS saving_usd, min(created_at_ms) AS created_ms
    FROM $database.recommendations GROUP BY cluster, id
  ) AS c
  ANY LEFT JOIN
  (
    SELECT cluster, id, argMax(status, at_ms) AS rec_status, argMax(ifNull(realised_monthly_saving_usd, 0), at_ms) AS realised_usd
    FROM $database.recommendation_status GROUP BY cluster, id
  ) AS st USING (cluster, id)
  WHERE ${when('cluster', 'cluster')} AND ($__conditionalAll(rec_tenant IN (\${tenant}), $tenant))
)`;

/** Scheduler & recommendations: how much GPU capacity no pod holds, where, and what the recommender says would save money. */
export const SCHEDULER_DASHBOARD: DashboardSpec = {
  uid: 'gpu-ledger-scheduler',
  title: 'GPU Ledger — Scheduler & recommendations',
  description:
    'Unallocated GPU capacity over time and by node, and the recommender’s open, accepted and realised recommendations with their $ per month.',
  tags: ['gpu-ledger', 'gpu', 'scheduler', 'recommendations'],
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
      sql: `SELECT DISTINCT tenant FROM ${LEDGER} WHERE $__timeFilter(window_start) AND bucket = 'workload' ORDER BY tenant`,
    },
  ],
  panels: [
    {
      title: 'Unallocated GPUs',
      description: 'Share of the GPU capacity (GPU-hours) no pod held in the range: the FGD paper’s metric, measured.',
      kind: 'stat',
      sql: `SELECT 100 * sumIf(allocated_gpu_seconds, bucket = 'idle') / greatest(sum(allocated_gpu_seconds), 1e-9) AS unallocated_pct
FROM ${LEDGER} WHERE ${ROWS}`,
      columns: ['number'],
      unit: 'percent',
      width: 6,
    },
    {
      title: 'Unallocated GPU share over time',
      description: 'Hourly share of GPU capacity no pod held, per GPU model.',
      kind: 'timeseries',
      sql: `SELECT ${bucket('window_start', 3600)}, gpu_model,
  100 * sumIf(allocated_gpu_seconds, bucket = 'idle') / greatest(sum(allocated_gpu_seconds), 1e-9) AS unallocated_pct
FROM ${LEDGER} WHERE ${ROWS} GROUP BY time, gpu_model ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'percent',
      width: 18,
    },
    {
      title: 'Unallocated GPU-hours by node',
      description:
        'Nodes with the most capacity no pod held, and what it cost: candidates to consolidate or to pack onto.',
      kind: 'table',
      sql: `SELECT node, any(gpu_model) AS gpu_model, sumIf(allocated_gpu_seconds, bucket = 'idle') / 3600 AS unallocated_gpu_hours,
  100 * sumIf(allocated_gpu_seconds, bucket = 'idle') / greatest(sum(allocated_gpu_seconds), 1e-9) AS unallocated_pct,
  sumIf(cost_usd, bucket = 'idle') AS idle_usd
FROM ${LEDGER} WHERE ${ROWS} GROUP BY node ORDER BY unallocated_gpu_hours DESC, node LIMIT 100`,
      columns: ['string', 'string', 'number', 'number', 'number'],
      width: 12,
    },
    {
      title: 'Recommendations by kind and status',
      description: 'Estimated $ per month of every recommendation, by kind and by its latest status.',
      kind: 'barchart',
      sql: `SELECT concat(rec_kind, ' (', if(rec_status = '', 'open', rec_status), ')') AS kind_status, sum(saving_usd) AS usd_per_month
FROM ${RECOMMENDATIONS} GROUP BY kind_status ORDER BY usd_per_month DESC, kind_status`,
      columns: ['string', 'number'],
      unit: 'currencyUSD',
      width: 12,
    },
    {
      title: 'Adoption',
      description: 'Accepted or realised recommendations over those decided or expired (open ones excluded).',
      kind: 'stat',
      sql: `SELECT 100 * countIf(rec_status IN ('accepted', 'realised')) / greatest(countIf(rec_status IN ('accepted', 'realised', 'dismissed', 'expired')), 1) AS adoption_pct
FROM ${RECOMMENDATIONS}`,
      columns: ['number'],
      unit: 'percent',
      width: 6,
    },
    {
      title: 'Realised vs estimated',
      description:
        'Saving measured from the ledger after realised recommendations, against what they were estimated at ($/month).',
      kind: 'barchart',
      sql: `SELECT 'estimated' AS what, sumIf(saving_usd, rec_status = 'realised') AS usd_per_month FROM ${RECOMMENDATIONS}
UNION ALL
SELECT 'realised' AS what, sumIf(realised_usd, rec_status = 'realised') AS usd_per_month FROM ${RECOMMENDATIONS}`,
      columns: ['string', 'number'],
      unit: 'currencyUSD',
      width: 6,
    },
    {
      title: 'Open recommendations',
      description: 'What the recommender suggests now, largest saving first.',
      kind: 'table',
      sql: `SELECT id, rec_kind AS kind, rec_tenant AS tenant, rec_namespace AS namespace, rec_workload AS workload,
  saving_usd AS usd_per_month, toDateTime(intDiv(created_ms, 1000)) AS since
FROM ${RECOMMENDATIONS} WHERE if(rec_status = '', 'open', rec_status) = 'open' ORDER BY saving_usd DESC, id LIMIT 200`,
      columns: ['string', 'string', 'string', 'string', 'string', 'number', 'time'],
      width: 12,
    },
  ],
};
