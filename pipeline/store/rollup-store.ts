import type { SqlExecutor } from './executor.ts';
import {
  gpuHourInsert,
  gpuMinuteInsert,
  podHourInsert,
  podMinuteInsert,
  type RollupRecompute,
  type RollupResolution,
} from './rollup-sql.ts';
import type { NodeRef } from './sample-sql.ts';
import { dateTime, ident, raw, sql, str, uint, type SqlQuery } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** A 1-minute window of one node that a flush wrote samples into, and the latest time it did. */
export interface DirtyMark extends NodeRef {
  readonly windowStartMs: number;
  readonly ingestedAtMs: number;
}

/** The change marks written at or after `sinceMs` (ingest_dirty_windows), one per window and node. */
export async function readDirtyMarks(executor: SqlExecutor, database: string, sinceMs: number): Promise<DirtyMark[]> {
  const rows = await executor.query<{ w: string | number; cluster: string; node: string; at: number }>(sql`
    SELECT window_start_ms AS w, cluster, node, toUInt32(max(ingested_at)) AS at FROM ${ident(database)}.ingest_dirty_windows
    WHERE ingested_at >= ${dateTime(sinceMs)}
    GROUP BY window_start_ms, cluster, node ORDER BY w, cluster, node`);
  return rows.map((r) => ({
    windowStartMs: toSafeNumber(r.w, 'window_start_ms'),
    cluster: r.cluster,
    node: r.node,
    ingestedAtMs: r.at * 1000,
  }));
}

/** The nodes with 1-minute rollups in [fromMs, toMs): the hosts an hour's recomputation covers. */
export async function nodesWithMinuteRollups(
  executor: SqlExecutor,
  database: string,
  fromMs: number,
  toMs: number,
): Promise<NodeRef[]> {
  return executor.query<NodeRef>(sql`
    SELECT DISTINCT cluster, node FROM ${ident(database)}.gpu_rollup_1m
    WHERE window_start >= toDateTime(${uint(Math.floor(fromMs / 1000))}, 'UTC') AND window_start < toDateTime(${uint(Math.floor(toMs / 1000))}, 'UTC')
    ORDER BY cluster, node`);
}

/** Recomputes the per-device and per-pod rollups of a minute-aligned range for some nodes (idempotent). */
export async function recomputeMinutes(executor: SqlExecutor, range: RollupRecompute): Promise<void> {
  await executor.command(gpuMinuteInsert(range));
  await executor.command(podMinuteInsert(range));
}

/** Recomputes one hour's per-device and per-pod rollups for some nodes, from their (already recomputed) minutes. */
export async function recomputeHour(executor: SqlExecutor, range: RollupRecompute): Promise<void> {
  await executor.command(gpuHourInsert(range));
  await executor.command(podHourInsert(range));
}

export interface RollupReadQuery {
  readonly database: string;
  readonly resolution: RollupResolution;
  /** Window starts in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly node?: string;
}

/** One device and window (gpu_rollup_1m / _1h, migration 007); units in the names. */
export interface GpuRollupRow {
  readonly windowStartMs: number;
  readonly cluster: string;
  readonly node: string;
  readonly gpuUuid: string;
  readonly parentGpuUuid: string;
  readonly kind: string;
  readonly model: string;
  readonly samples: number;
  readonly coveredMs: number;
  readonly utilSamples: number;
  readonly utilAvgPct: number | null;
  readonly utilMinPct: number | null;
  readonly utilMaxPct: number | null;
  readonly utilP95Pct: number | null;
  readonly busyPctMs: number;
  readonly memUsedAvgBytes: number | null;
  readonly memUsedMaxBytes: number | null;
  readonly memTotalMaxBytes: number | null;
  readonly powerAvgWatts: number | null;
  readonly powerMinWatts: number | null;
  readonly powerMaxWatts: number | null;
  readonly energyMillijoules: number;
}

/** One pod on one device in one window (pod_rollup_1m / _1h, migration 008). */
export interface PodRollupRow {
  readonly windowStartMs: number;
  readonly cluster: string;
  readonly podUid: string;
  readonly node: string;
  readonly gpuUuid: string;
  readonly samples: number;
  readonly gpuMs: number;
  readonly gpuMsShared: number;
  readonly busyPctMsShared: number;
  readonly energyMillijoulesShared: number;
  readonly maxPodsSharing: number;
  readonly utilAvgPct: number | null;
  readonly utilP95Pct: number | null;
  readonly podMemAvgBytes: number | null;
  readonly podMemMaxBytes: number | null;
}

type Raw = Record<string, unknown>;
const int = (row: Raw, column: string): number => toSafeNumber(row[column], column);
const num = (row: Raw, column: string): number => Number(row[column]);
const nullableNum = (row: Raw, column: string): number | null =>
  row[column] === null || row[column] === undefined ? null : Number(row[column]);
const text = (row: Raw, column: string): string => String(row[column]);

function rollupSelect(table: 'gpu' | 'pod', q: RollupReadQuery): SqlQuery {
  const name = ident(`${table}_rollup_${q.resolution}`);
  const nodeFilter = q.node === undefined ? raw(sql``) : raw(sql`AND node = ${str(q.node)}`);
  return sql`
    SELECT *, toUInt32(window_start) AS window_start_s FROM ${ident(q.database)}.${name} FINAL
    WHERE window_start >= ${dateTime(q.fromMs)} AND window_start < ${dateTime(q.toMs)} ${nodeFilter}`;
}

/** Per-device rollups in the range, one row per key (FINAL), ordered by node, device, window. */
export async function readGpuRollups(executor: SqlExecutor, q: RollupReadQuery): Promise<GpuRollupRow[]> {
  const rows = await executor.query<Raw>(
    sql`${raw(rollupSelect('gpu', q))} ORDER BY cluster, node, gpu_uuid, window_start`,
  );
  return rows.map((r) => ({
    windowStartMs: int(r, 'window_start_s') * 1000,
    cluster: text(r, 'cluster'),
    node: text(r, 'node'),
    gpuUuid: text(r, 'gpu_uuid'),
    parentGpuUuid: text(r, 'parent_gpu_uuid'),
    kind: text(r, 'kind'),
    model: text(r, 'model'),
    samples: int(r, 'samples'),
    coveredMs: int(r, 'covered_ms'),
    utilSamples: int(r, 'util_samples'),
    utilAvgPct: nullableNum(r, 'util_avg'),
    utilMinPct: nullableNum(r, 'util_min'),
    utilMaxPct: nullableNum(r, 'util_max'),
    utilP95Pct: nullableNum(r, 'util_p95'),
    busyPctMs: int(r, 'busy_pct_ms'),
    memUsedAvgBytes: nullableNum(r, 'mem_used_avg'),
    memUsedMaxBytes: nullableNum(r, 'mem_used_max'),
    memTotalMaxBytes: nullableNum(r, 'mem_total_max'),
    powerAvgWatts: nullableNum(r, 'power_avg'),
    powerMinWatts: nullableNum(r, 'power_min'),
    powerMaxWatts: nullableNum(r, 'power_max'),
    energyMillijoules: int(r, 'energy_mj'),
  }));
}

/** Per-pod rollups in the range, one row per key (FINAL), ordered by pod, node, device, window. */
export async function readPodRollups(executor: SqlExecutor, q: RollupReadQuery): Promise<PodRollupRow[]> {
  const rows = await executor.query<Raw>(
    sql`${raw(rollupSelect('pod', q))} ORDER BY cluster, pod_uid, node, gpu_uuid, window_start`,
  );
  return rows.map((r) => ({
    windowStartMs: int(r, 'window_start_s') * 1000,
    cluster: text(r, 'cluster'),
    podUid: text(r, 'pod_uid'),
    node: text(r, 'node'),
    gpuUuid: text(r, 'gpu_uuid'),
    samples: int(r, 'samples'),
    gpuMs: int(r, 'gpu_ms'),
    gpuMsShared: num(r, 'gpu_ms_shared'),
    busyPctMsShared: num(r, 'busy_pct_ms_shared'),
    energyMillijoulesShared: num(r, 'energy_mj_shared'),
    maxPodsSharing: int(r, 'max_pods_sharing'),
    utilAvgPct: nullableNum(r, 'util_avg'),
    utilP95Pct: nullableNum(r, 'util_p95'),
    podMemAvgBytes: nullableNum(r, 'pod_mem_avg'),
    podMemMaxBytes: nullableNum(r, 'pod_mem_max'),
  }));
}
