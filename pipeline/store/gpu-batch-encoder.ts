import { SAMPLE_COUNTER_KEYS, SAMPLE_COUNTERS } from '../../contracts/index.ts';
import { NativeBlockWriter, type NativeBlock } from './native-block.ts';
import { ColumnArena, DateColumn, NullableColumn, StringColumn, UInt32Column, UInt64Column } from './native-columns.ts';
import {
  PROCESS_NUMBERS,
  PROCESS_SPAN_INTS,
  ProcessNumber,
  ProcessSpan,
  SAMPLE_NUMBERS,
  SAMPLE_SPAN_INTS,
  SAMPLE_COUNTER_BASE,
  SampleNumber,
  SampleSpan,
  type PackedGpuBatch,
} from '../ingest/packed-gpu-batch.ts';
import { keyOrder } from './row-order.ts';
import type { IngestBatchRow } from './rows.ts';
import { toEpochSeconds } from './sql.ts';

/**
 * The hot path of ingest on a ClickHouse server: packed GPU batches straight to Native blocks for
 * gpu_samples, gpu_processes and ingest_batches — no row objects, no numbers turned into text, and
 * the format the server copies in almost as is. Each batch is visited once (while it is in cache)
 * and its rows are scattered into column builders (native-columns.ts); the block is then written
 * column by column. The generic path (gpu-batch-rows.ts + JSONEachRow) writes the same rows; the
 * store conformance suite inserts the same batches both ways and compares every column. Column
 * types are the tables' (migrations 001–003).
 */

const DATETIME = "DateTime('UTC')";
/** Builders' memory, reused by every (synchronous) encode. */
const arena = new ColumnArena();

/** ts, ts_ms, date, cluster, node, agent_id, boot_id, seq: the leading columns of both raw tables. */
class RowIdentity {
  readonly ts: UInt32Column;
  readonly tsMs: UInt64Column;
  readonly date: DateColumn;
  readonly cluster: StringColumn;
  readonly node: StringColumn;
  readonly agentId: StringColumn;
  readonly bootId: StringColumn;
  readonly seq: UInt64Column;

  constructor(rows: number) {
    this.ts = new UInt32Column(arena, 'ts', DATETIME, rows);
    this.tsMs = new UInt64Column(arena, 'ts_ms', rows);
    this.date = new DateColumn(arena, 'date', rows);
    this.cluster = new StringColumn(arena, 'cluster', rows * 8);
    this.node = new StringColumn(arena, 'node', rows * 24);
    this.agentId = new StringColumn(arena, 'agent_id', rows * 32);
    this.bootId = new StringColumn(arena, 'boot_id', rows * 24);
    this.seq = new UInt64Column(arena, 'seq', rows);
  }

  /** Row r at instant `ms` of batch b. */
  set(r: number, b: PackedGpuBatch, ms: number): void {
    this.ts.set(r, toEpochSeconds(ms));
    this.tsMs.set(r, ms);
    this.date.setFromMs(r, ms);
    this.cluster.repeat(b.cluster);
    this.node.repeat(b.node);
    this.agentId.repeat(b.agentId);
    this.bootId.repeat(b.bootId);
    this.seq.set(r, b.seq);
  }

  write(w: NativeBlockWriter): void {
    this.ts.write(w);
    this.tsMs.write(w);
    this.date.write(w);
    for (const c of [this.cluster, this.node, this.agentId, this.bootId]) c.write(w);
    this.seq.write(w);
  }
}

const SAMPLE_NULLABLES = [
  ['utilization_pct', 'Float64', SampleNumber.utilizationPct],
  ['memory_used_bytes', 'UInt64', SampleNumber.memoryUsedBytes],
  ['memory_total_bytes', 'UInt64', SampleNumber.memoryTotalBytes],
  ['power_watts', 'Float64', SampleNumber.powerWatts],
  ['power_limit_watts', 'Float64', SampleNumber.powerLimitWatts],
  ['temperature_c', 'Float64', SampleNumber.temperatureC],
  ['sm_clock_mhz', 'Float64', SampleNumber.smClockMhz],
  ['mem_clock_mhz', 'Float64', SampleNumber.memClockMhz],
] as const;
const SAMPLE_TRAILING_NULLABLES = [
  ['ecc_corrected_total', 'UInt64', SampleNumber.eccCorrectedTotal],
  ['ecc_uncorrected_total', 'UInt64', SampleNumber.eccUncorrectedTotal],
  ['mig_gi_id', 'UInt32', SampleNumber.migGpuInstanceId],
  ['mig_ci_id', 'UInt32', SampleNumber.migComputeInstanceId],
] as const;

/** gpu_samples rows (migrations 001, 080) of the batches, stamped with the ingest time. */
export function encodeGpuSampleBlock(batches: readonly PackedGpuBatch[], ingestedAtMs: number): NativeBlock {
  const rows = batches.reduce((n, b) => n + b.sampleCount, 0);
  arena.reset();
  const identity = new RowIdentity(rows);
  const source = new StringColumn(arena, 'source', rows * 16);
  const kind = new StringColumn(arena, 'kind', rows * 4);
  const gpuUuid = new StringColumn(arena, 'gpu_uuid', rows * 48);
  const parentGpuUuid = new StringColumn(arena, 'parent_gpu_uuid', rows * 2);
  const gpuIndex = new UInt32Column(arena, 'gpu_index', 'UInt32', rows);
  const model = new StringColumn(arena, 'model', rows * 24);
  const driverVersion = new StringColumn(arena, 'driver_version', rows * 12);
  const nullables = SAMPLE_NULLABLES.map(
    ([name, type, field]) => [new NullableColumn(arena, name, type, rows), field] as const,
  );
  const throttleEnds = new UInt64Column(arena, 'throttle_reasons', rows);
  const throttleReasons = new StringColumn(arena, 'throttle_reasons', rows * 12);
  const trailing = SAMPLE_TRAILING_NULLABLES.map(
    ([name, type, field]) => [new NullableColumn(arena, name, type, rows), field] as const,
  );
  const migProfile = new StringColumn(arena, 'mig_profile', rows * 2);
  const counters = SAMPLE_COUNTER_KEYS.map(
    (k, c) => [new NullableColumn(arena, SAMPLE_COUNTERS[k].column, 'Float64', rows), SAMPLE_COUNTER_BASE + c] as const,
  );

  const order = keyOrder(batches, 'samples');
  let throttles = 0;
  for (let r = 0; r < rows; r++) {
    const b = batches[order.batch[r]!]!;
    const i = order.row[r]!;
    const { bytes, numbers: nums, spans } = b;
    const at = i * SAMPLE_NUMBERS;
    const k = i * SAMPLE_SPAN_INTS;
    identity.set(r, b, nums[at + SampleNumber.observedAtMs]!);
    source.repeat(b.source);
    kind.repeat(nums[at + SampleNumber.kind] === 0 ? 'gpu' : 'mig');
    gpuUuid.span(bytes, spans[k + SampleSpan.gpuUuid]!, spans[k + SampleSpan.gpuUuid + 1]!);
    parentGpuUuid.span(bytes, spans[k + SampleSpan.parentGpuUuid]!, spans[k + SampleSpan.parentGpuUuid + 1]!);
    gpuIndex.set(r, nums[at + SampleNumber.index]!);
    model.span(bytes, spans[k + SampleSpan.model]!, spans[k + SampleSpan.model + 1]!);
    driverVersion.span(bytes, spans[k + SampleSpan.driverVersion]!, spans[k + SampleSpan.driverVersion + 1]!);
    for (const [column, field] of nullables) column.set(r, nums[at + field]!);
    const first = spans[k + SampleSpan.throttleFirst]!;
    const last = first + 2 * spans[k + SampleSpan.throttleCount]!;
    for (let t = first; t < last; t += 2) throttleReasons.span(bytes, spans[t]!, spans[t + 1]!);
    throttles += (last - first) / 2;
    throttleEnds.set(r, throttles);
    for (const [column, field] of trailing) column.set(r, nums[at + field]!);
    migProfile.span(bytes, spans[k + SampleSpan.migProfile]!, spans[k + SampleSpan.migProfile + 1]!);
    for (const [column, field] of counters) column.set(r, nums[at + field]!);
  }

  const w = new NativeBlockWriter(rows * 160 + 4096);
  w.begin(30 + counters.length, rows);
  identity.write(w);
  for (const c of [source, kind, gpuUuid, parentGpuUuid]) c.write(w);
  gpuIndex.write(w);
  model.write(w);
  driverVersion.write(w);
  for (const [column] of nullables) column.write(w);
  throttleEnds.write(w, 'Array(String)');
  w.append(throttleReasons.bytes());
  for (const [column] of trailing) column.write(w);
  migProfile.write(w);
  w.column('ingested_at', DATETIME);
  w.append(arena.uint32(rows).fill(toEpochSeconds(ingestedAtMs)));
  for (const [column] of counters) column.write(w);
  return { data: w.bytes(), rows };
}

/** gpu_processes rows (migration 002) of the batches: each process at its batch's collection time. */
export function encodeGpuProcessBlock(batches: readonly PackedGpuBatch[]): NativeBlock {
  const rows = batches.reduce((n, b) => n + b.processCount, 0);
  arena.reset();
  const identity = new RowIdentity(rows);
  const gpuUuid = new StringColumn(arena, 'gpu_uuid', rows * 48);
  const pid = new UInt32Column(arena, 'pid', 'UInt32', rows);
  const processName = new StringColumn(arena, 'process_name', rows * 32);
  const usedMemory = new NullableColumn(arena, 'used_memory_bytes', 'UInt64', rows);
  const podUid = new StringColumn(arena, 'pod_uid', rows * 40);
  const containerId = new StringColumn(arena, 'container_id', rows * 40);
  const migGi = new NullableColumn(arena, 'mig_gi_id', 'UInt32', rows);
  const migCi = new NullableColumn(arena, 'mig_ci_id', 'UInt32', rows);

  const order = keyOrder(batches, 'processes');
  for (let r = 0; r < rows; r++) {
    const b = batches[order.batch[r]!]!;
    const j = order.row[r]!;
    const { bytes, numbers: nums, spans } = b;
    const at = b.sampleCount * SAMPLE_NUMBERS + j * PROCESS_NUMBERS;
    const k = b.sampleCount * SAMPLE_SPAN_INTS + j * PROCESS_SPAN_INTS;
    identity.set(r, b, b.collectedAtMs);
    gpuUuid.span(bytes, spans[k + ProcessSpan.gpuUuid]!, spans[k + ProcessSpan.gpuUuid + 1]!);
    pid.set(r, nums[at + ProcessNumber.pid]!);
    processName.span(bytes, spans[k + ProcessSpan.processName]!, spans[k + ProcessSpan.processName + 1]!);
    usedMemory.set(r, nums[at + ProcessNumber.usedMemoryBytes]!);
    podUid.span(bytes, spans[k + ProcessSpan.podUid]!, spans[k + ProcessSpan.podUid + 1]!);
    containerId.span(bytes, spans[k + ProcessSpan.containerId]!, spans[k + ProcessSpan.containerId + 1]!);
    migGi.set(r, nums[at + ProcessNumber.migGpuInstanceId]!);
    migCi.set(r, nums[at + ProcessNumber.migComputeInstanceId]!);
  }

  const w = new NativeBlockWriter(rows * 210 + 4096);
  w.begin(16, rows);
  identity.write(w);
  gpuUuid.write(w);
  pid.write(w);
  processName.write(w);
  usedMemory.write(w);
  podUid.write(w);
  containerId.write(w);
  migGi.write(w);
  migCi.write(w);
  return { data: w.bytes(), rows };
}

/** ingest_batches rows (migration 003). */
export function encodeIngestBatchBlock(rows: readonly IngestBatchRow[]): NativeBlock {
  const w = new NativeBlockWriter(rows.length * 160 + 1024);
  w.begin(11, rows.length);
  const strings = (...columns: ReadonlyArray<readonly [string, (r: IngestBatchRow) => string]>) => {
    for (const [name, of] of columns) {
      w.column(name, 'String');
      for (const r of rows) w.string(of(r));
    }
  };
  strings(['agent_id', (r) => r.agent_id], ['boot_id', (r) => r.boot_id]);
  w.column('seq', 'UInt64');
  for (const r of rows) w.uint64(r.seq, 'seq');
  strings(['cluster', (r) => r.cluster], ['node', (r) => r.node], ['topic', (r) => r.topic]);
  w.column('partition', 'UInt32');
  for (const r of rows) w.uint32(r.partition, 'partition');
  w.column('offset', 'UInt64');
  for (const r of rows) w.uint64Decimal(r.offset, 'offset');
  w.column('sample_count', 'UInt32');
  for (const r of rows) w.uint32(r.sample_count, 'sample_count');
  w.column('collected_at', DATETIME);
  for (const r of rows) w.uint32(toEpochSeconds(r.collected_at_ms), 'collected_at');
  w.column('ingested_at', DATETIME);
  for (const r of rows) w.uint32(toEpochSeconds(r.ingested_at_ms), 'ingested_at');
  return { data: w.bytes(), rows: rows.length };
}
