/**
 * What the recommender reads about usage over a lookback (every value through the `sql` tag):
 *
 * - POD USAGE from pod_rollup_1m (migration 008) joined with gpu_rollup_1m (007), per pod:
 *   per minute the busiest device's utilization (util_avg), the devices' summed utilization / 100
 *   (whole GPUs of work), and memory: the pod's processes' peak, or the device's peak when the pod had
 *   the device to itself (that includes the CUDA context the per-process figure misses). Then over
 *   the minutes: quantileExact 0.5/0.95/0.99 and max of the busiest device, p95 of the summed demand,
 *   the largest single-device and summed memory, the most devices at once. Minutes without a
 *   utilization reading (MIG under nvidia-smi) are skipped by the percentiles (NULL), not read as 0.
 * - NODE TELEMETRY from gpu_rollup_1m, per node: the GPUs' reported model and whole-GPU memory, the
 *   minutes it reported, its physical GPUs.
 * Rollup rows are read with FINAL (one row per key, latest computation).
 */
import type { SqlExecutor } from './executor.ts';
import { dateTime, ident, raw, sql, str, type SqlValue } from './sql.ts';
import { PodBucket } from './rollup-sql.ts';
import { ROW_PHYSICAL_GPU } from './sample-sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export interface UsageRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** One pod's usage over a range (see the module comment). */
export interface PodUsage {
  readonly cluster: string;
  readonly podUid: string;
  /** Minutes with a sample of one of its devices. */
  readonly minutes: number;
  readonly utilizationMinutes: number;
  /** Over minutes, of the busiest device (quantileExact: element ⌊q·n⌋ of the sorted values); null without readings. */
  readonly utilizationP50Pct: number | null;
  readonly utilizationP95Pct: number | null;
  readonly utilizationP99Pct: number | null;
  readonly utilizationMaxPct: number | null;
  /** p95 over minutes of Σ over its devices of utilization / 100: whole GPUs of work. */
  readonly demandP95Gpus: number | null;
  /** Highest memory one device held for it, and all its devices together in one minute. */
  readonly memoryPeakBytes: number;
  readonly memoryPeakSumBytes: number;
  /** Most devices its processes ran on at once. */
  readonly devicesUsed: number;
}

/** One node's GPU telemetry over a range. */
export interface NodeTelemetry {
  readonly cluster: string;
  readonly node: string;
  /** The model its whole GPUs report (any device's when it has only MIG rows). */
  readonly model: string;
  /** Largest whole-GPU memory total reported; null when none was. */
  readonly memoryTotalBytes: number | null;
  readonly minutes: number;
  /** Physical GPUs (a MIG instance counts as its parent). */
  readonly gpuUuids: readonly string[];
}

type Raw = Record<string, unknown>;
const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function minuteRange(table: string, database: string, r: UsageRange): SqlValue {
  return raw(sql`SELECT * FROM ${ident(database)}.${ident(table)} FINAL
    WHERE window_start >= ${dateTime(r.fromMs)} AND window_start < ${dateTime(r.toMs)}`);
}

export async function readPodUsage(executor: SqlExecutor, database: string, r: UsageRange): Promise<PodUsage[]> {
  const rows = await executor.query<Raw>(sql`
    SELECT cluster, pod_uid, count() AS minutes, count(busiest) AS util_minutes,
           quantilesExact(0.5, 0.95, 0.99)(busiest) AS q, max(busiest) AS util_max,
           quantileExact(0.95)(demand) AS demand_p95, max(mem_peak) AS mem_peak, max(mem_sum) AS mem_sum, max(devices) AS devices
    FROM (
      SELECT cluster, pod_uid, window_start, max(util_avg) AS busiest, sum(util_avg) / 100 AS demand,
             max(mem) AS mem_peak, sum(mem) AS mem_sum, count() AS devices
      FROM (
        SELECT cluster, pod_uid, window_start, util_avg,
               if(max_pods_sharing = 1, greatest(ifNull(pod_mem_max, 0), ifNull(dev_mem_max, 0)), ifNull(pod_mem_max, 0)) AS mem
        FROM (
          SELECT cluster, pod_uid, node, gpu_uuid, window_start, util_avg, pod_mem_max, max_pods_sharing
          FROM (${minuteRange('pod_rollup_1m', database, r)})
          WHERE pod_uid NOT IN (${str(PodBucket.host)}, ${str(PodBucket.noProcess)})
        ) AS p
        ALL LEFT JOIN (
          SELECT cluster, node, gpu_uuid, window_start, mem_used_max AS dev_mem_max
          FROM (${minuteRange('gpu_rollup_1m', database, r)})
        ) AS g USING (cluster, node, gpu_uuid, window_start)
      )
      GROUP BY cluster, pod_uid, window_start
    )
    GROUP BY cluster, pod_uid
    ORDER BY cluster, pod_uid`);
  return rows.map((x) => {
    const utilMinutes = toSafeNumber(x['util_minutes'], 'util_minutes');
    const q = (x['q'] as unknown[] | null) ?? [];
    const pct = (i: number) => (utilMinutes === 0 ? null : nullableNumber(q[i]));
    return {
      cluster: String(x['cluster']),
      podUid: String(x['pod_uid']),
      minutes: toSafeNumber(x['minutes'], 'minutes'),
      utilizationMinutes: utilMinutes,
      utilizationP50Pct: pct(0),
      utilizationP95Pct: pct(1),
      utilizationP99Pct: pct(2),
      utilizationMaxPct: utilMinutes === 0 ? null : nullableNumber(x['util_max']),
      demandP95Gpus: utilMinutes === 0 ? null : nullableNumber(x['demand_p95']),
      memoryPeakBytes: Number(x['mem_peak']),
      memoryPeakSumBytes: Number(x['mem_sum']),
      devicesUsed: toSafeNumber(x['devices'], 'devices'),
    };
  });
}

export async function readNodeTelemetry(
  executor: SqlExecutor,
  database: string,
  r: UsageRange,
): Promise<NodeTelemetry[]> {
  const rows = await executor.query<Raw>(sql`
    SELECT cluster, node,
           if(countIf(kind = ${str('gpu')}) > 0, anyIf(model, kind = ${str('gpu')}), any(model)) AS gpu_model,
           maxIf(mem_total_max, kind = ${str('gpu')}) AS mem_total, uniqExact(window_start) AS minutes,
           arraySort(groupUniqArray(${ROW_PHYSICAL_GPU})) AS gpus
    FROM (${minuteRange('gpu_rollup_1m', database, r)})
    GROUP BY cluster, node
    ORDER BY cluster, node`);
  return rows.map((x) => {
    const memory = nullableNumber(x['mem_total']);
    return {
      cluster: String(x['cluster']),
      node: String(x['node']),
      model: String(x['gpu_model']),
      memoryTotalBytes: memory === null || memory === 0 ? null : memory,
      minutes: toSafeNumber(x['minutes'], 'minutes'),
      gpuUuids: x['gpus'] as string[],
    };
  });
}
