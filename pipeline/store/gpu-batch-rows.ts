import type { GpuSampleBatch } from '../../contracts/index.ts';
import { PackedGpuBatch, ProcessNumber, ProcessSpan, SampleNumber, SampleSpan } from './packed-gpu-batch.ts';
import type { GpuProcessRow, GpuSampleRow } from './rows.ts';

const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

/** Pure mapping of one GPU sample batch (camelCase contract, or packed) to the store's snake_case rows. */
export function toGpuSampleRows(batch: GpuSampleBatch | PackedGpuBatch, ingestedAtMs: number): GpuSampleRow[] {
  if (batch instanceof PackedGpuBatch) return packedSampleRows(batch, ingestedAtMs);
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
  }));
}

export function toGpuProcessRows(batch: GpuSampleBatch | PackedGpuBatch): GpuProcessRow[] {
  if (batch instanceof PackedGpuBatch) return packedProcessRows(batch);
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
  }));
}

function packedSampleRows(b: PackedGpuBatch, ingestedAtMs: number): GpuSampleRow[] {
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
    };
  });
}

function packedProcessRows(b: PackedGpuBatch): GpuProcessRow[] {
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
  }));
}
