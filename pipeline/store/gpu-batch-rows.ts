import {
  ProcessNumber,
  ProcessSpan,
  SAMPLE_COUNTER_BASE,
  SampleNumber,
  SampleSpan,
  type PackedGpuBatch,
} from '../ingest/packed-gpu-batch.ts';
import { SAMPLE_COUNTER_KEYS, SAMPLE_COUNTERS } from '../../contracts/index.ts';
import type { GpuProcessRow, GpuSampleCounterColumns, GpuSampleRow } from './rows.ts';

const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

/** The counters' columns, each from its value at counter position `c`. */
const counterColumns = (value: (c: number) => number | null): GpuSampleCounterColumns =>
  Object.fromEntries(
    SAMPLE_COUNTER_KEYS.map((k, c) => [SAMPLE_COUNTERS[k].column, value(c)]),
  ) as GpuSampleCounterColumns;

/** Pure mapping of one packed GPU sample batch to the store's snake_case rows (null strings stored as ''). */
export function toGpuSampleRows(b: PackedGpuBatch, ingestedAtMs: number): GpuSampleRow[] {
  return Array.from({ length: b.sampleCount }, (_, i) => {
    const n = (field: number) => orNull(b.sampleNumber(i, field));
    return {
      ts_ms: b.sampleNumber(i, SampleNumber.observedAtMs),
      cluster: b.cluster,
      node: b.node,
      agent_id: b.agentId,
      boot_id: b.bootId,
      seq: b.seq,
      source: b.source,
      kind: b.sampleNumber(i, SampleNumber.kind) === 0 ? 'gpu' : 'mig',
      gpu_uuid: b.string(b.sampleSpan(i, SampleSpan.gpuUuid)),
      parent_gpu_uuid: b.string(b.sampleSpan(i, SampleSpan.parentGpuUuid)),
      gpu_index: b.sampleNumber(i, SampleNumber.index),
      model: b.string(b.sampleSpan(i, SampleSpan.model)),
      driver_version: b.string(b.sampleSpan(i, SampleSpan.driverVersion)),
      utilization_pct: n(SampleNumber.utilizationPct),
      memory_used_bytes: n(SampleNumber.memoryUsedBytes),
      memory_total_bytes: n(SampleNumber.memoryTotalBytes),
      power_watts: n(SampleNumber.powerWatts),
      power_limit_watts: n(SampleNumber.powerLimitWatts),
      temperature_c: n(SampleNumber.temperatureC),
      sm_clock_mhz: n(SampleNumber.smClockMhz),
      mem_clock_mhz: n(SampleNumber.memClockMhz),
      throttle_reasons: b.throttleReasons(i),
      ecc_corrected_total: n(SampleNumber.eccCorrectedTotal),
      ecc_uncorrected_total: n(SampleNumber.eccUncorrectedTotal),
      mig_gi_id: n(SampleNumber.migGpuInstanceId),
      mig_ci_id: n(SampleNumber.migComputeInstanceId),
      mig_profile: b.string(b.sampleSpan(i, SampleSpan.migProfile)),
      ingested_at_ms: ingestedAtMs,
      ...counterColumns((c) => n(SAMPLE_COUNTER_BASE + c)),
    };
  });
}

export function toGpuProcessRows(b: PackedGpuBatch): GpuProcessRow[] {
  return Array.from({ length: b.processCount }, (_, j) => ({
    ts_ms: b.collectedAtMs,
    cluster: b.cluster,
    node: b.node,
    agent_id: b.agentId,
    boot_id: b.bootId,
    seq: b.seq,
    gpu_uuid: b.string(b.processSpan(j, ProcessSpan.gpuUuid)),
    pid: b.processNumber(j, ProcessNumber.pid),
    process_name: b.string(b.processSpan(j, ProcessSpan.processName)),
    used_memory_bytes: orNull(b.processNumber(j, ProcessNumber.usedMemoryBytes)),
    pod_uid: b.string(b.processSpan(j, ProcessSpan.podUid)),
    container_id: b.string(b.processSpan(j, ProcessSpan.containerId)),
    mig_gi_id: orNull(b.processNumber(j, ProcessNumber.migGpuInstanceId)),
    mig_ci_id: orNull(b.processNumber(j, ProcessNumber.migComputeInstanceId)),
  }));
}
