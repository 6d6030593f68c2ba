import {
  distinctSamples,
  nodeFilter,
  PROCESS_BIND_KEYS,
  rawRange,
  sampleBindKeys,
  samplesWithIntervals,
  type NodeRef,
} from './sample-sql.ts';
import { ident, raw, sql, str, uint, type SqlQuery, type SqlValue } from './sql.ts';

/** Rollup resolutions (as const object + same-named union); the value is the table suffix. */
export const RollupResolution = { minute: '1m', hour: '1h' } as const;
export type RollupResolution = (typeof RollupResolution)[keyof typeof RollupResolution];

export const ROLLUP_WINDOW_MS: Readonly<Record<RollupResolution, number>> = { '1m': 60_000, '1h': 3_600_000 };

/** What one statement recomputes: window-aligned [fromMs, toMs) for some nodes. */
export interface RollupRecompute {
  readonly database: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly nodes: readonly NodeRef[];
  /** A sample's interval is the time since the device's previous sample, or 0 beyond this gap. */
  readonly maxGapMs: number;
  /** Version of the rows written (ReplacingMergeTree): the job's clock, so a later run wins. */
  readonly computedAtMs: number;
}

/** Pods a sample is booked to when nothing else is known (see migration 008). */
export const PodBucket = { host: '__host__', noProcess: '__no_process__' } as const;

const DAY_MS = 86_400_000;

/** The rollups' samples of the range, with interval_ms and its busy and energy shares (integers, so that sums compose exactly). */
function minuteSamples(r: RollupRecompute): SqlValue {
  const scope = { database: r.database, fromMs: Math.max(0, r.fromMs - r.maxGapMs), toMs: r.toMs, nodes: r.nodes };
  const fields = {
    perSample: ['util', 'mem', 'mem_total', 'power'],
    perDevice: ['parent', 'kind', 'model', 'bind_gpu', 'bind_gi'],
  } as const;
  return raw(sql`
    SELECT *, toUInt64(floor(ifNull(util, 0) * interval_ms + 0.5)) AS busy_i,
           toUInt64(floor(ifNull(power, 0) * interval_ms + 0.5)) AS energy_i
    FROM (${samplesWithIntervals(scope, r.maxGapMs, fields)})
    WHERE ts_ms >= ${uint(r.fromMs)}`);
}

const windowOf = (windowMs: number, column: SqlValue): SqlValue =>
  raw(sql`toDateTime(intDiv(${column}, ${uint(windowMs)}) * ${uint(windowMs / 1000)}, 'UTC')`);
const TS_MS = raw(sql`ts_ms`);
/** The columns of gpu_rollup_1m and gpu_rollup_1h (one shape, two window sizes), in insert order. */
const GPU_ROLLUP_COLUMNS =
  raw(sql`(window_start, cluster, node, gpu_uuid, parent_gpu_uuid, kind, model, samples, covered_ms,
       util_samples, util_sum, util_avg, util_min, util_max, util_p95, busy_pct_ms,
       mem_used_samples, mem_used_sum, mem_used_avg, mem_used_max, mem_total_max,
       power_samples, power_sum, power_avg, power_min, power_max, energy_mj, computed_at_ms)`);
/** The columns of pod_rollup_1m and pod_rollup_1h, in insert order. */
const POD_ROLLUP_COLUMNS =
  raw(sql`(window_start, cluster, pod_uid, node, gpu_uuid, samples, gpu_ms, gpu_ms_shared, busy_pct_ms_shared,
       energy_mj_shared, max_pods_sharing, util_samples, util_sum, util_avg, util_min, util_max, util_p95,
       pod_mem_samples, pod_mem_sum, pod_mem_avg, pod_mem_max, computed_at_ms)`);

/** INSERT … SELECT that recomputes gpu_rollup_1m for the nodes' devices with samples in the range. */
export function gpuMinuteInsert(r: RollupRecompute): SqlQuery {
  return sql`
    INSERT INTO ${ident(r.database)}.gpu_rollup_1m
      ${GPU_ROLLUP_COLUMNS}
    SELECT ${windowOf(60_000, TS_MS)} AS w, cluster, node, device, any(parent), any(kind), any(model),
           count() AS r_samples, sum(interval_ms),
           count(util) AS r_util_n, sum(ifNull(util, 0)) AS r_util_sum,
           if(r_util_n > 0, r_util_sum / r_util_n, NULL), min(util), max(util), quantileExact(0.95)(util),
           sum(busy_i),
           count(mem) AS r_mem_n, sum(ifNull(mem, 0)) AS r_mem_sum,
           if(r_mem_n > 0, r_mem_sum / r_mem_n, NULL), max(mem), max(mem_total),
           count(power) AS r_power_n, sum(ifNull(power, 0)) AS r_power_sum,
           if(r_power_n > 0, r_power_sum / r_power_n, NULL), min(power), max(power),
           sum(energy_i), ${uint(r.computedAtMs)}
    FROM (${minuteSamples(r)})
    GROUP BY w, cluster, node, device`;
}

/**
 * (sample, pod) pairs: every distinct sample joined with the distinct processes of its batch on its
 * physical GPU (a MIG instance's sample: on its instance, sample-sql.ts sampleBindKeys); k = the pods
 * bound to the sample (migration 008's attribution rule). A sample's two bind keys are two LEFT JOIN
 * rows, so a key that met no process adds a no-process entry: it counts only when nothing was bound.
 */
function samplesByPod(
  samples: SqlValue,
  r: Pick<RollupRecompute, 'database' | 'fromMs' | 'toMs' | 'maxGapMs' | 'nodes'>,
): SqlValue {
  // Process rows carry the batch's collectedAtMs, samples their observedAtMs: a day either side keeps pruning safe.
  const from = Math.max(0, r.fromMs - r.maxGapMs - DAY_MS);
  return raw(sql`
    SELECT cluster, node, device, ts_ms, any(b_util) AS c_util, any(b_interval) AS c_interval,
           any(b_busy) AS c_busy, any(b_energy) AS c_energy,
           groupArray(tuple(pod_key, pod_mem, pod_mem_n)) AS bound,
           arrayFilter(x -> tupleElement(x, 1) != ${str(PodBucket.noProcess)}, bound) AS with_process,
           if(empty(with_process), bound, with_process) AS pods, length(pods) AS k
    FROM (
      SELECT cluster, node, device, ts_ms, agent_id, boot_id, seq,
             any(util) AS b_util, any(interval_ms) AS b_interval, any(busy_i) AS b_busy, any(energy_i) AS b_energy,
             if(p_pid = 0, ${str(PodBucket.noProcess)}, if(p_pod = '', ${str(PodBucket.host)}, p_pod)) AS pod_key,
             sum(ifNull(p_mem, 0)) AS pod_mem, count(p_mem) AS pod_mem_n
      FROM (SELECT *, bind_key FROM (${samples}) ARRAY JOIN ${sampleBindKeys(raw(sql`bind_gi`))} AS bind_key) AS smp
      ALL LEFT JOIN (
        SELECT agent_id, boot_id, seq, gpu_uuid AS bind_gpu, bind_key, pid AS p_pid, any(pod_uid) AS p_pod,
               any(used_memory_bytes) AS p_mem
        FROM ${ident(r.database)}.gpu_processes
        ARRAY JOIN ${PROCESS_BIND_KEYS} AS bind_key
        WHERE ${rawRange(from, r.toMs + DAY_MS, r.nodes)}
        GROUP BY cluster, node, gpu_uuid, ts_ms, pid, agent_id, boot_id, seq, bind_key
      ) AS prc USING (agent_id, boot_id, seq, bind_gpu, bind_key)
      GROUP BY cluster, node, device, ts_ms, agent_id, boot_id, seq, pod_key
    )
    GROUP BY cluster, node, device, ts_ms, agent_id, boot_id, seq`);
}

/** INSERT … SELECT that recomputes pod_rollup_1m for the nodes' devices with samples in the range. */
export function podMinuteInsert(r: RollupRecompute): SqlQuery {
  return sql`
    INSERT INTO ${ident(r.database)}.pod_rollup_1m
      ${POD_ROLLUP_COLUMNS}
    SELECT ${windowOf(60_000, TS_MS)} AS w, cluster, tupleElement(pd, 1) AS pod, node, device,
           count() AS r_samples, sum(c_interval), sum(c_interval / k), sum(c_busy / k), sum(c_energy / k), max(k),
           count(c_util) AS r_util_n, sum(ifNull(c_util, 0)) AS r_util_sum,
           if(r_util_n > 0, r_util_sum / r_util_n, NULL), min(c_util), max(c_util), quantileExact(0.95)(c_util),
           countIf(tupleElement(pd, 3) > 0) AS r_mem_n, sumIf(tupleElement(pd, 2), tupleElement(pd, 3) > 0) AS r_mem_sum,
           if(r_mem_n > 0, r_mem_sum / r_mem_n, NULL),
           if(r_mem_n > 0, maxIf(tupleElement(pd, 2), tupleElement(pd, 3) > 0), NULL),
           ${uint(r.computedAtMs)}
    FROM (${samplesByPod(minuteSamples(r), r)})
    ARRAY JOIN pods AS pd
    GROUP BY w, cluster, pod, node, device`;
}

/** The hour's rollup rows of the nodes, one level down: 1-minute rows, read with FINAL. */
function minuteRows(table: 'gpu_rollup_1m' | 'pod_rollup_1m', r: RollupRecompute): SqlValue {
  return raw(sql`
    SELECT * FROM ${ident(r.database)}.${ident(table)} FINAL
    WHERE window_start >= toDateTime(${uint(r.fromMs / 1000)}, 'UTC') AND window_start < toDateTime(${uint(r.toMs / 1000)}, 'UTC') AND ${nodeFilter(r.nodes)}`);
}

/** Distinct samples of the hour without intervals (the p95 needs only the values), in sample-with-interval shape. */
function hourSamples(r: RollupRecompute): SqlValue {
  return raw(sql`
    SELECT cluster, node, device, ts_ms, agent_id, boot_id, seq, d_util AS util, d_bind AS bind_gpu, d_bind_gi AS bind_gi,
           toUInt64(0) AS interval_ms, toUInt64(0) AS busy_i, toUInt64(0) AS energy_i
    FROM (${distinctSamples(r)})`);
}

/**
 * INSERT … SELECT that recomputes gpu_rollup_1h: counts, sums, minima and maxima composed exactly
 * from the hour's 1-minute rows (every interval is booked in one minute), the p95 from the hour's
 * distinct raw samples (a percentile does not compose).
 */
export function gpuHourInsert(r: RollupRecompute): SqlQuery {
  return sql`
    INSERT INTO ${ident(r.database)}.gpu_rollup_1h
      ${GPU_ROLLUP_COLUMNS}
    SELECT w, cluster, node, gpu_uuid, parent, kind, model, h_samples, h_covered, h_util_n, h_util_sum,
           if(h_util_n > 0, h_util_sum / h_util_n, NULL), h_util_min, h_util_max, p95, h_busy,
           h_mem_n, h_mem_sum, if(h_mem_n > 0, h_mem_sum / h_mem_n, NULL), h_mem_max, h_mem_total,
           h_power_n, h_power_sum, if(h_power_n > 0, h_power_sum / h_power_n, NULL), h_power_min, h_power_max, h_energy,
           ${uint(r.computedAtMs)}
    FROM (
      SELECT toDateTime(${uint(r.fromMs / 1000)}, 'UTC') AS w, cluster, node, gpu_uuid,
             any(parent_gpu_uuid) AS parent, any(kind) AS kind, any(model) AS model,
             sum(samples) AS h_samples, sum(covered_ms) AS h_covered, sum(util_samples) AS h_util_n, sum(util_sum) AS h_util_sum,
             min(util_min) AS h_util_min, max(util_max) AS h_util_max, sum(busy_pct_ms) AS h_busy,
             sum(mem_used_samples) AS h_mem_n, sum(mem_used_sum) AS h_mem_sum, max(mem_used_max) AS h_mem_max, max(mem_total_max) AS h_mem_total,
             sum(power_samples) AS h_power_n, sum(power_sum) AS h_power_sum, min(power_min) AS h_power_min, max(power_max) AS h_power_max,
             sum(energy_mj) AS h_energy
      FROM (${minuteRows('gpu_rollup_1m', r)})
      GROUP BY cluster, node, gpu_uuid
    ) AS agg
    ALL LEFT JOIN (
      SELECT cluster, node, device AS gpu_uuid, quantileExact(0.95)(util) AS p95
      FROM (${hourSamples(r)})
      GROUP BY cluster, node, device
    ) AS pct USING (cluster, node, gpu_uuid)`;
}

/** INSERT … SELECT that recomputes pod_rollup_1h: composed from the 1-minute rows, the p95 from the hour's distinct samples. */
export function podHourInsert(r: RollupRecompute): SqlQuery {
  return sql`
    INSERT INTO ${ident(r.database)}.pod_rollup_1h
      ${POD_ROLLUP_COLUMNS}
    SELECT w, cluster, pod_uid, node, gpu_uuid, h_samples, h_gpu_ms, h_shared, h_busy, h_energy, h_k, h_util_n, h_util_sum,
           if(h_util_n > 0, h_util_sum / h_util_n, NULL), h_util_min, h_util_max, p95,
           h_mem_n, h_mem_sum, if(h_mem_n > 0, h_mem_sum / h_mem_n, NULL), h_mem_max, ${uint(r.computedAtMs)}
    FROM (
      SELECT toDateTime(${uint(r.fromMs / 1000)}, 'UTC') AS w, cluster, pod_uid, node, gpu_uuid,
             sum(samples) AS h_samples, sum(gpu_ms) AS h_gpu_ms, sum(gpu_ms_shared) AS h_shared, sum(busy_pct_ms_shared) AS h_busy,
             sum(energy_mj_shared) AS h_energy, max(max_pods_sharing) AS h_k, sum(util_samples) AS h_util_n, sum(util_sum) AS h_util_sum,
             min(util_min) AS h_util_min, max(util_max) AS h_util_max, sum(pod_mem_samples) AS h_mem_n, sum(pod_mem_sum) AS h_mem_sum,
             max(pod_mem_max) AS h_mem_max
      FROM (${minuteRows('pod_rollup_1m', r)})
      GROUP BY cluster, pod_uid, node, gpu_uuid
    ) AS agg
    ALL LEFT JOIN (
      SELECT cluster, tupleElement(pd, 1) AS pod_uid, node, device AS gpu_uuid, quantileExact(0.95)(c_util) AS p95
      FROM (${samplesByPod(hourSamples(r), r)})
      ARRAY JOIN pods AS pd
      GROUP BY cluster, pod_uid, node, gpu_uuid
    ) AS pct USING (cluster, pod_uid, node, gpu_uuid)`;
}
