import { SAMPLE_COUNTER_KEYS, SAMPLE_COUNTERS, type GpuSampleBatch } from '../../contracts/index.ts';
import type { GpuProcessRow, GpuSampleCounterColumns, GpuSampleRow } from '../../pipeline/store/rows.ts';

/**
 * The store rows of a GpuSampleBatch written straight from the record, independently of the packed
 * layout the pipeline uses (pipeline/ingest/packed-gpu-batch.ts, pipeline/store/gpu-batch-rows.ts):
 * the oracle the store conformance compares the ingest hot path with.
 */

/** The gpu_samples rows of a batch, read from the record's fields (null strings stored as ''). */
export function recordSampleRows(batch: GpuSampleBatch, ingestedAtMs: number): GpuSampleRow[] {
  return batch.samples.map((s) => ({
    ts_ms: s.observedAtMs,
    cluster: batch.cluster,
    node: batch.node,
    agent_id: batch.agentId,
    boot_id: batch.bootId,
    seq: batch.seq,
    source: batch.source,
    kind: s.kind,
    gpu_uuid: s.gpuUuid,
    parent_gpu_uuid: s.parentGpuUuid ?? '',
    gpu_index: s.index,
    model: s.model,
    driver_version: s.driverVersion ?? '',
    utilization_pct: s.utilizationPct,
    memory_used_bytes: s.memoryUsedBytes,
    memory_total_bytes: s.memoryTotalBytes,
    power_watts: s.powerWatts,
    power_limit_watts: s.powerLimitWatts,
    temperature_c: s.temperatureC,
    sm_clock_mhz: s.smClockMhz,
    mem_clock_mhz: s.memClockMhz,
    throttle_reasons: s.throttleReasons,
    ecc_corrected_total: s.eccCorrectedTotal,
    ecc_uncorrected_total: s.eccUncorrectedTotal,
    mig_gi_id: s.mig?.gpuInstanceId ?? null,
    mig_ci_id: s.mig?.computeInstanceId ?? null,
    mig_profile: s.mig?.profile ?? '',
    ingested_at_ms: ingestedAtMs,
    ...(Object.fromEntries(
      SAMPLE_COUNTER_KEYS.map((k) => [SAMPLE_COUNTERS[k].column, s[k] ?? null]),
    ) as GpuSampleCounterColumns),
  }));
}

/** The gpu_processes rows of a batch, read from the record's fields. */
export function recordProcessRows(batch: GpuSampleBatch): GpuProcessRow[] {
  return batch.processes.map((p) => ({
    ts_ms: batch.collectedAtMs,
    cluster: batch.cluster,
    node: batch.node,
    agent_id: batch.agentId,
    boot_id: batch.bootId,
    seq: batch.seq,
    gpu_uuid: p.gpuUuid,
    pid: p.pid,
    process_name: p.processName,
    used_memory_bytes: p.usedMemoryBytes,
    pod_uid: p.podUid ?? '',
    container_id: p.containerId ?? '',
    mig_gi_id: p.gpuInstanceId ?? null,
    mig_ci_id: p.computeInstanceId ?? null,
  }));
}
