import { DATABASE_VARIABLE, type DashboardSpec } from './dashboard-spec.ts';
import { bucket, when } from './sql-fragments.ts';

const LEDGER = '$database.cost_ledger_current';
/** The range's end stands for "now": a budget's burn as of the dashboard's time. */
const NOW = '$__toTime';

/** Every budget's latest version (deleted ones dropped). */
const BUDGETS = `(SELECT budget_id, k AS scope_kind, v AS scope_value, p AS period, a AS amount_usd, d AS is_deleted
  FROM (SELECT budget_id, argMax(scope_kind, updated_at_ms) AS k, argMax(scope_value, updated_at_ms) AS v,
      argMax(period, updated_at_ms) AS p, argMax(amount_usd, updated_at_ms) AS a, argMax(deleted, updated_at_ms) AS d
    FROM $database.budgets GROUP BY budget_id))`;

/** Workload spend per budget scope (tenant, team, namespace) since the start of the current month and week. */
const SPEND = `(SELECT scope_kind, scope_value,
    sumIf(cost_usd, window_start >= toDateTime(toStartOfMonth(${NOW}))) AS month_usd,
    sumIf(cost_usd, window_start >= toDateTime(toMonday(${NOW}))) AS week_usd
  FROM
  (
    SELECT 'tenant' AS scope_kind, tenant AS scope_value, window_start, cost_usd FROM ${LEDGER}
    WHERE bucket = 'workload' AND window_start >= toDateTime(toStartOfMonth(${NOW}) - 7) AND window_start < ${NOW}
    UNION ALL
    SELECT 'team' AS scope_kind, team AS scope_value, window_start, cost_usd FROM ${LEDGER}
    WHERE bucket = 'workload' AND window_start >= toDateTime(toStartOfMonth(${NOW}) - 7) AND window_start < ${NOW}
    UNION ALL
    SELECT 'namespace' AS scope_kind, namespace AS scope_value, window_start, cost_usd FROM ${LEDGER}
    WHERE bucket = 'workload' AND window_start >= toDateTime(toStartOfMonth(${NOW}) - 7) AND window_start < ${NOW}
  )
  GROUP BY scope_kind, scope_value)`;

/** Seconds since the period began and the period's length, for the straight-line forecast. */
const PERIOD_START = `if(period = 'weekly', toDateTime(toMonday(${NOW})), toDateTime(toStartOfMonth(${NOW})))`;
const PERIOD_SECONDS = `if(period = 'weekly', 7 * 86400, toDayOfMonth(addDays(toStartOfMonth(addMonths(toStartOfMonth(${NOW}), 1)), -1)) * 86400)`;

/** Alerts as recorded: the latest version of each incident. */
const ALERTS = `(SELECT fingerprint, active_at_ms, argMax(rule, evaluated_at_ms) AS alert_rule, argMax(severity, evaluated_at_ms) AS alert_severity,
    argMax(state, evaluated_at_ms) AS alert_state, argMax(summary, evaluated_at_ms) AS alert_summary,
    argMax(label_keys, evaluated_at_ms) AS keys, argMax(label_values, evaluated_at_ms) AS values_,
    argMax(fired_at_ms, evaluated_at_ms) AS fired_ms, argMax(resolved_at_ms, evaluated_at_ms) AS resolved_ms
  FROM $database.alerts GROUP BY fingerprint, active_at_ms)`;
const LABEL = (name: string) => `if(has(keys, '${name}'), arrayElement(values_, indexOf(keys, '${name}')), '')`;
/** An incident shown in the range: it began before the range ended and was not resolved before it began. */
const IN_RANGE = `active_at_ms <= $__to AND (resolved_ms = 0 OR resolved_ms >= $__from)`;

/** Budgets & alerts: burn against budget with the period-end forecast, and the alerts the rules raised. */
export const BUDGETS_ALERTS_DASHBOARD: DashboardSpec = {
  uid: 'gpu-ledger-budgets-alerts',
  title: 'GPU Ledger — Budgets & alerts',
  description:
    'Budget burn and forecast per tenant, team or namespace as of the range end; firing and recent alerts from the anomaly rules.',
  tags: ['gpu-ledger', 'gpu', 'budgets', 'alerts'],
  variables: [
    DATABASE_VARIABLE,
    {
      name: 'tenant',
      label: 'Tenant',
      sql: `SELECT DISTINCT tenant FROM ${LEDGER} WHERE $__timeFilter(window_start) AND bucket = 'workload' ORDER BY tenant`,
    },
  ],
  panels: [
    {
      title: 'Budgets: burn and forecast',
      description:
        'Per budget: spend in the current period (month or week of the range end), share of the amount, and the straight-line forecast at the period end.',
      kind: 'table',
      sql: `SELECT budget_id, period, amount_usd, spend_usd, 100 * spend_usd / amount_usd AS used_pct,
  spend_usd * ${PERIOD_SECONDS} / greatest(dateDiff('second', ${PERIOD_START}, ${NOW}), 1) AS forecast_usd
FROM
(
  SELECT budget_id, b.scope_kind AS scope_kind, b.scope_value AS scope_value, period, amount_usd,
    if(period = 'weekly', s.week_usd, s.month_usd) AS spend_usd
  FROM ${BUDGETS} AS b ANY LEFT JOIN ${SPEND} AS s USING (scope_kind, scope_value)
  WHERE is_deleted = 0 AND ($__conditionalAll(scope_kind != 'tenant' OR scope_value IN (\${tenant}), $tenant))
)
ORDER BY used_pct DESC, budget_id`,
      columns: ['string', 'string', 'number', 'number', 'number', 'number'],
      width: 24,
    },
    {
      title: 'Tenant spend this month',
      description: 'Workload cost of each tenant since the start of the month of the range end, by day.',
      kind: 'timeseries',
      sql: `SELECT ${bucket('window_start', 86400)}, tenant, sum(cost_usd) AS cost_usd FROM ${LEDGER}
WHERE bucket = 'workload' AND window_start >= toDateTime(toStartOfMonth(${NOW})) AND window_start < ${NOW} AND ${when('tenant', 'tenant')}
GROUP BY time, tenant ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'currencyUSD',
    },
    {
      title: 'Firing alerts',
      description: 'Incidents firing at the range end, by severity.',
      kind: 'stat',
      sql: `SELECT count() AS firing FROM ${ALERTS} WHERE alert_state = 'firing' AND active_at_ms <= $__to
  AND ($__conditionalAll(${LABEL('tenant')} IN (\${tenant}), $tenant))`,
      columns: ['number'],
      unit: 'short',
      width: 6,
    },
    {
      title: 'Alerts by rule',
      description: 'Incidents active in the range per rule (pending, firing or resolved inside it).',
      kind: 'barchart',
      sql: `SELECT alert_rule, count() AS incidents FROM ${ALERTS} WHERE ${IN_RANGE}
  AND ($__conditionalAll(${LABEL('tenant')} IN (\${tenant}), $tenant))
GROUP BY alert_rule ORDER BY incidents DESC, alert_rule`,
      columns: ['string', 'number'],
      unit: 'short',
      width: 6,
    },
    {
      title: 'Alerts',
      description: 'Incidents active in the range, newest first, with their subject and state.',
      kind: 'table',
      sql: `SELECT toDateTime(intDiv(active_at_ms, 1000)) AS since, alert_rule AS rule, alert_severity AS severity, alert_state AS state,
  ${LABEL('node')} AS node, ${LABEL('pod')} AS pod, ${LABEL('tenant')} AS tenant, alert_summary AS summary
FROM ${ALERTS} WHERE ${IN_RANGE} AND ($__conditionalAll(${LABEL('tenant')} IN (\${tenant}), $tenant))
ORDER BY active_at_ms DESC LIMIT 200`,
      columns: ['time', 'string', 'string', 'string', 'string', 'string', 'string', 'string'],
      width: 24,
    },
  ],
};
