/**
 * The sample rule in SQL, defined once for every read of gpu_samples (rollups, cost ledger inputs,
 * anomaly rules, usage profiles):
 *
 * - REPLAY: a batch can arrive twice, so rows are collapsed on the table's key (migration 001)
 *   before anything is counted or summed.
 * - DEVICE: a sample's device is its UUID, or `<parent>/<gi>/<ci>` for a MIG instance without a
 *   `MIG-…` UUID (migration 007).
 * - PHYSICAL GPU: a MIG instance stands for its parent GPU (where its processes are reported).
 * - INTERVAL: a sample at t stands for (t − interval, t], interval = the time since the device's
 *   previous distinct sample, or 0 when that gap exceeds maxGapMs (a telemetry gap is not usage) or
 *   there is none. Portable to ClickHouse 18.16 and 26.x: no window functions, arrays only.
 */
import { commaJoin, date, ident, list, raw, sql, str, uint, type SqlValue } from './sql.ts';

/** A host whose rows a statement covers: (cluster, node) is the raw tables' key prefix, so the index finds them. */
export interface NodeRef {
  readonly cluster: string;
  readonly node: string;
}

/** Raw rows a read covers: `ts_ms` in [fromMs, toMs), on the nodes when given (else all). */
export interface SampleScope {
  readonly database: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly nodes?: readonly NodeRef[];
}

/** The raw tables' key (gpu_samples, gpu_processes): a replayed copy of a row has the same one. */
export const SAMPLE_KEY = raw(sql`cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq`);

/** `(cluster, node) IN ((…), …)`. */
export function nodeFilter(nodes: readonly NodeRef[]): SqlValue {
  return raw(sql`(cluster, node) IN ${list(nodes.map((n) => raw(sql`(${str(n.cluster)}, ${str(n.node)})`)))}`);
}

/** Rows of a raw table with `ts_ms` in [fromMs, toMs) (on the nodes when given), day partitions pruned. */
export function rawRange(fromMs: number, toMs: number, nodes?: readonly NodeRef[]): SqlValue {
  const range = raw(
    sql`date >= ${date(fromMs)} AND date <= ${date(toMs)} AND ts_ms >= ${uint(fromMs)} AND ts_ms < ${uint(toMs)}`,
  );
  return nodes === undefined ? range : raw(sql`${range} AND ${nodeFilter(nodes)}`);
}

/** The physical GPU of a row: a MIG instance's parent, else its own UUID. Takes the row's kind, parent and UUID. */
export function physicalGpu(kind: SqlValue, parent: SqlValue, uuid: SqlValue): SqlValue {
  return raw(sql`if(${kind} = ${str('mig')} AND ${parent} != '', ${parent}, ${uuid})`);
}

/** The physical GPU of a raw gpu_samples row (or of a rollup row: same column names). */
export const ROW_PHYSICAL_GPU = physicalGpu(raw(sql`kind`), raw(sql`parent_gpu_uuid`), raw(sql`gpu_uuid`));

/** The device id of a sample grouped on SAMPLE_KEY, given its kind and parent (aggregated). */
export function deviceId(kind: SqlValue, parent: SqlValue): SqlValue {
  return raw(sql`if(${kind} = ${str('mig')} AND NOT startsWith(gpu_uuid, 'MIG-'),
    concat(${parent}, '/', ifNull(toString(any(mig_gi_id)), '-'), '/', ifNull(toString(any(mig_ci_id)), '-')), gpu_uuid)`);
}

/**
 * MIG instance binding (issue 12 item 5): which processes of a sample's physical GPU share its busy
 * time. Both sides are ARRAY JOINed to bind keys and joined on (batch, physical GPU, key):
 *   - a MIG instance's sample (GPU instance g known) → keys g and UNKNOWN: the processes nvidia-smi
 *     put on instance g, and those whose instance is unknown (a source that does not say: the old rule);
 *   - any other sample (a whole GPU, a MIG parent) → key ANY: every process on the GPU;
 *   - a process on instance g → keys g and ANY; a process whose instance is unknown → UNKNOWN and ANY.
 * So a (sample, process) pair meets on at most one key, and two pods on different instances of one
 * GPU each get only their own instance's busy time.
 */
const BIND_UNKNOWN = raw(sql`toInt64(-1)`);
const BIND_ANY = raw(sql`toInt64(-2)`);
/** The bind keys of a sample, given its GPU instance (null for a whole GPU or a MIG parent). */
export function sampleBindKeys(gi: SqlValue): SqlValue {
  return raw(sql`if(isNull(${gi}), [${BIND_ANY}], [toInt64(assumeNotNull(${gi})), ${BIND_UNKNOWN}])`);
}
/** The bind keys of a gpu_processes row. */
export const PROCESS_BIND_KEYS = raw(
  sql`if(isNull(mig_gi_id), [${BIND_UNKNOWN}, ${BIND_ANY}], [toInt64(assumeNotNull(mig_gi_id)), ${BIND_ANY}])`,
);

/** What distinctSamples gives of each sample besides its identity, by name (its column there). */
const SAMPLE_FIELDS = {
  util: 'd_util',
  mem: 'd_mem',
  mem_total: 'd_mem_total',
  power: 'd_power',
  kind: 'd_kind',
  parent: 'd_parent',
  model: 'd_model',
  profile: 'd_profile',
  bind_gpu: 'd_bind',
  bind_gi: 'd_bind_gi',
} as const;
export type SampleField = keyof typeof SAMPLE_FIELDS;

/**
 * Distinct samples of the scope (replayed copies collapsed on SAMPLE_KEY): cluster, node, ts_ms,
 * agent_id, boot_id, seq, device, and the SAMPLE_FIELDS columns (d_bind: the physical GPU, which
 * the sample's processes name).
 */
export function distinctSamples(scope: SampleScope): SqlValue {
  const kind = raw(sql`d_kind`);
  const parent = raw(sql`d_parent`);
  return raw(sql`
    SELECT cluster, node, ts_ms, agent_id, boot_id, seq,
           any(kind) AS d_kind, any(parent_gpu_uuid) AS d_parent, any(model) AS d_model, any(mig_profile) AS d_profile,
           any(utilization_pct) AS d_util, any(memory_used_bytes) AS d_mem, any(memory_total_bytes) AS d_mem_total,
           any(power_watts) AS d_power, ${deviceId(kind, parent)} AS device,
           ${physicalGpu(kind, parent, raw(sql`gpu_uuid`))} AS d_bind,
           if(${kind} = ${str('mig')}, any(mig_gi_id), NULL) AS d_bind_gi
    FROM ${ident(scope.database)}.gpu_samples
    WHERE ${rawRange(scope.fromMs, scope.toMs, scope.nodes)}
    GROUP BY ${SAMPLE_KEY}`);
}

/** The fields a samplesWithIntervals row carries: each sample's own, and the device's (any of its samples). */
export interface SeriesFields {
  readonly perSample: readonly SampleField[];
  readonly perDevice: readonly SampleField[];
}

/**
 * One row per distinct sample of the scope: cluster, node, device, ts_ms, agent_id, boot_id, seq,
 * the fields by their names, and interval_ms (UInt64): the gap to the device's previous distinct
 * sample in the scope, or 0 when it exceeds maxGapMs or there is none. The scope should start
 * maxGapMs before the first sample whose interval counts.
 */
export function samplesWithIntervals(scope: SampleScope, maxGapMs: number, fields: SeriesFields): SqlValue {
  const column = (f: SampleField) => ident(SAMPLE_FIELDS[f]);
  const tuple = commaJoin([raw(sql`ts_ms, agent_id, boot_id, seq`), ...fields.perSample.map(column)]);
  const outer = commaJoin([
    raw(sql`cluster, node, device, tupleElement(s, 1) AS ts_ms, tupleElement(s, 2) AS agent_id,
           tupleElement(s, 3) AS boot_id, tupleElement(s, 4) AS seq`),
    ...fields.perSample.map((f, i) => raw(sql`tupleElement(s, ${uint(i + 5)}) AS ${ident(f)}`)),
    ...fields.perDevice.map((f) => ident(f)),
    raw(sql`if(g <= ${uint(maxGapMs)}, toUInt64(g), toUInt64(0)) AS interval_ms`),
  ]);
  const inner = commaJoin([
    raw(sql`cluster, node, device`),
    ...fields.perDevice.map((f) => raw(sql`any(${column(f)}) AS ${ident(f)}`)),
    raw(sql`arraySort(groupArray(tuple(${tuple}))) AS series`),
    raw(sql`arrayDifference(arrayMap(x -> tupleElement(x, 1), series)) AS gaps`),
  ]);
  return raw(sql`
    SELECT ${outer}
    FROM (
      SELECT ${inner}
      FROM (${distinctSamples(scope)})
      GROUP BY cluster, node, device
    )
    ARRAY JOIN series AS s, gaps AS g`);
}
