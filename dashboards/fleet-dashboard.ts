import { DATABASE_VARIABLE, type DashboardSpec } from './dashboard-spec.ts';
import { bucket, UTILIZATION_PCT, when } from './sql-fragments.ts';

const ROLLUP = `$database.gpu_rollup_1m FINAL`;
const GPUS = `$__timeFilter(window_start) AND kind = 'gpu' AND ${when('cluster', 'cluster')} AND ${when('model', 'gpu_model')}`;
/** Reasons that are not throttling: an idle GPU and clocks pinned on purpose. */
const NOT_THROTTLING = `('gpu_idle', 'applications_clocks_setting', 'display_clocks_setting')`;

/** Fleet: which GPUs there are, how busy, hot and healthy they are, and whether their agents report. */
export const FLEET_DASHBOARD: DashboardSpec = {
  uid: 'gpu-ledger-fleet',
  title: 'GPU Ledger — Fleet',
  description: 'GPUs by model and node, utilization, memory, power, throttling, ECC errors and telemetry gaps.',
  tags: ['gpu-ledger', 'gpu', 'fleet'],
  variables: [
    DATABASE_VARIABLE,
    {
      name: 'cluster',
      label: 'Cluster',
      sql: 'SELECT DISTINCT cluster FROM $database.gpu_rollup_1h WHERE $__timeFilter(window_start) ORDER BY cluster',
    },
    {
      name: 'gpu_model',
      label: 'GPU model',
      sql: `SELECT DISTINCT model FROM $database.gpu_rollup_1h WHERE $__timeFilter(window_start) AND model != '' ORDER BY model`,
    },
  ],
  panels: [
    {
      title: 'GPUs reporting',
      description: 'Distinct physical GPUs with at least one sample in the range.',
      kind: 'stat',
      sql: `SELECT uniqExact(gpu_uuid) AS gpus FROM ${ROLLUP} WHERE ${GPUS}`,
      columns: ['number'],
      unit: 'short',
      width: 6,
      height: 4,
    },
    {
      title: 'Fleet utilization',
      description: 'Busy share of the observed GPU time (utilization weighted by the time each sample stands for).',
      kind: 'stat',
      sql: `SELECT ${UTILIZATION_PCT} AS utilization_pct FROM ${ROLLUP} WHERE ${GPUS}`,
      columns: ['number'],
      unit: 'percent',
      width: 6,
      height: 4,
    },
    {
      title: 'GPU-hours observed',
      description: 'Time the GPUs were observed by their agents (telemetry gaps are not counted).',
      kind: 'stat',
      sql: `SELECT sum(covered_ms) / 3600000 AS gpu_hours FROM ${ROLLUP} WHERE ${GPUS}`,
      columns: ['number'],
      unit: 'h',
      width: 6,
      height: 4,
    },
    {
      title: 'Energy',
      description: 'Energy drawn by the GPUs in the range (power × time of each sample).',
      kind: 'stat',
      sql: `SELECT sum(energy_mj) / 3600000000 AS kwh FROM ${ROLLUP} WHERE ${GPUS}`,
      columns: ['number'],
      unit: 'kwatth',
      width: 6,
      height: 4,
    },
    {
      title: 'GPUs by model',
      description: 'Distinct physical GPUs per model.',
      kind: 'barchart',
      sql: `SELECT model, uniqExact(gpu_uuid) AS gpus FROM ${ROLLUP} WHERE ${GPUS} GROUP BY model ORDER BY gpus DESC, model`,
      columns: ['string', 'number'],
      unit: 'short',
      width: 8,
    },
    {
      title: 'GPUs by node',
      description: 'Per node: its GPUs, their utilization and the highest memory use of any of them.',
      kind: 'table',
      sql: `SELECT node, any(model) AS gpu_model, uniqExact(gpu_uuid) AS gpus, ${UTILIZATION_PCT} AS utilization_pct,
  100 * max(mem_used_max / mem_total_max) AS peak_memory_pct
FROM ${ROLLUP} WHERE ${GPUS} GROUP BY node ORDER BY node`,
      columns: ['string', 'string', 'number', 'number', 'number'],
      width: 16,
    },
    {
      title: 'Utilization heatmap',
      description: 'Distribution of per-GPU utilization over time (one value per GPU and interval).',
      kind: 'heatmap',
      sql: `SELECT ${bucket('window_start')}, ${UTILIZATION_PCT} AS utilization_pct
FROM ${ROLLUP} WHERE ${GPUS} GROUP BY time, gpu_uuid ORDER BY time`,
      columns: ['time', 'number'],
      unit: 'percent',
      width: 24,
    },
    {
      title: 'Utilization by model',
      description: 'Busy share of the observed GPU time, per model.',
      kind: 'timeseries',
      sql: `SELECT ${bucket('window_start')}, model, ${UTILIZATION_PCT} AS utilization_pct
FROM ${ROLLUP} WHERE ${GPUS} GROUP BY time, model ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'percent',
    },
    {
      title: 'Memory used by model',
      description: 'Average framebuffer use as a share of each GPU’s memory, per model.',
      kind: 'timeseries',
      sql: `SELECT ${bucket('window_start')}, model, 100 * avg(mem_used_avg / mem_total_max) AS memory_used_pct
FROM ${ROLLUP} WHERE ${GPUS} GROUP BY time, model ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'percent',
    },
    {
      title: 'Power by model',
      description: 'Average power drawn in each interval (energy / interval), per model.',
      kind: 'timeseries',
      sql: `SELECT ${bucket('window_start')}, model, sum(energy_mj) / 1000 / $__interval_s AS watts
FROM ${ROLLUP} WHERE ${GPUS} GROUP BY time, model ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'watt',
    },
    {
      title: 'Throttling',
      description: 'GPUs whose clocks were held down, per reason (thermal, power, hardware slowdown).',
      kind: 'timeseries',
      sql: `SELECT ${bucket('ts')}, reason, uniqExact(gpu_uuid) AS gpus
FROM $database.gpu_samples ARRAY JOIN throttle_reasons AS reason
WHERE $__timeFilter(ts) AND kind = 'gpu' AND reason NOT IN ${NOT_THROTTLING}
  AND ${when('cluster', 'cluster')} AND ${when('model', 'gpu_model')}
GROUP BY time, reason ORDER BY time`,
      columns: ['time', 'string', 'number'],
      unit: 'short',
    },
    {
      title: 'GPUs with uncorrected ECC errors',
      description: 'GPUs whose volatile uncorrectable ECC count is above zero: drain and reset them.',
      kind: 'timeseries',
      sql: `SELECT ${bucket('ts')}, uniqExactIf(gpu_uuid, ecc_uncorrected_total > 0) AS gpus
FROM $database.gpu_samples
WHERE $__timeFilter(ts) AND kind = 'gpu' AND ${when('cluster', 'cluster')} AND ${when('model', 'gpu_model')}
GROUP BY time ORDER BY time`,
      columns: ['time', 'number'],
      unit: 'short',
    },
    {
      title: 'Telemetry gaps',
      description:
        'Agents with missing batches (sequence gaps) or silent since the range began; stale seconds since the last batch.',
      kind: 'table',
      sql: `SELECT node, agent_id, boot_id, missing_batches, last_seen, stale_s
FROM $database.telemetry_gaps
WHERE ${when('cluster', 'cluster')} AND (missing_batches > 0 OR last_seen >= $__fromTime)
ORDER BY missing_batches DESC, node LIMIT 100`,
      columns: ['string', 'string', 'string', 'number', 'time', 'number'],
      width: 24,
    },
  ],
};
