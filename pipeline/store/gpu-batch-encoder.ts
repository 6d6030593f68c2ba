import type { GpuSampleBatch } from '../../contracts/index.ts';
import type { RowBinaryBatch } from './executor.ts';
import { RowBinaryWriter } from './row-binary.ts';
import { toEpochSeconds } from './sql.ts';

/**
 * The hot path of ingest on a ClickHouse server: GPU sample batches straight to RowBinary for
 * gpu_samples and gpu_processes, no row objects and no numbers turned into text. The generic path
 * (to-rows.ts + insertGpuSamples/insertGpuProcesses, JSONEachRow) writes the same rows; the store
 * conformance suite inserts the same batches both ways and compares every column.
 */

export const GPU_SAMPLE_COLUMNS = [
  'ts', 'ts_ms', 'date', 'cluster', 'node', 'agent_id', 'boot_id', 'seq', 'source', 'kind', 'gpu_uuid', 'parent_gpu_uuid',
  'gpu_index', 'model', 'driver_version', 'utilization_pct', 'memory_used_bytes', 'memory_total_bytes', 'power_watts',
  'power_limit_watts', 'temperature_c', 'sm_clock_mhz', 'mem_clock_mhz', 'throttle_reasons', 'ecc_corrected_total',
  'ecc_uncorrected_total', 'mig_gi_id', 'mig_ci_id', 'mig_profile', 'ingested_at',
] as const;

export const GPU_PROCESS_COLUMNS = [
  'ts', 'ts_ms', 'date', 'cluster', 'node', 'agent_id', 'boot_id', 'seq', 'gpu_uuid', 'pid', 'process_name', 'used_memory_bytes', 'pod_uid', 'container_id',
] as const;

/** ts, ts_ms, date of an epoch-ms instant (the DateTime and Date derive from the ms, as in the generic path). */
function instant(w: RowBinaryWriter, ms: number): void {
  w.uint32(toEpochSeconds(ms), 'ts');
  w.uint64(ms, 'ts_ms');
  w.dateOf(ms);
}

function batchIdentity(w: RowBinaryWriter, b: GpuSampleBatch): void {
  w.string(b.cluster);
  w.string(b.node);
  w.string(b.agentId);
  w.string(b.bootId);
  w.uint64(b.seq, 'seq');
}

/** gpu_samples rows (migration 001) of the batches, stamped with the ingest time. */
export function encodeGpuSampleRows(batches: readonly GpuSampleBatch[], ingestedAtMs: number): RowBinaryBatch {
  const w = new RowBinaryWriter();
  const ingestedAt = toEpochSeconds(ingestedAtMs);
  let rows = 0;
  for (const b of batches) {
    for (const s of b.samples) {
      instant(w, s.observedAtMs);
      batchIdentity(w, b);
      w.string(b.source);
      w.string(s.kind);
      w.string(s.gpuUuid);
      w.string(s.parentGpuUuid ?? '');
      w.uint32(s.index, 'gpu_index');
      w.string(s.model);
      w.string(s.driverVersion ?? '');
      w.nullableFloat64(s.utilizationPct, 'utilization_pct');
      w.nullableUInt64(s.memoryUsedBytes, 'memory_used_bytes');
      w.nullableUInt64(s.memoryTotalBytes, 'memory_total_bytes');
      w.nullableFloat64(s.powerWatts, 'power_watts');
      w.nullableFloat64(s.powerLimitWatts, 'power_limit_watts');
      w.nullableFloat64(s.temperatureC, 'temperature_c');
      w.nullableFloat64(s.smClockMhz, 'sm_clock_mhz');
      w.nullableFloat64(s.memClockMhz, 'mem_clock_mhz');
      w.stringArray(s.throttleReasons);
      w.nullableUInt64(s.eccCorrectedTotal, 'ecc_corrected_total');
      w.nullableUInt64(s.eccUncorrectedTotal, 'ecc_uncorrected_total');
      w.nullableUInt32(s.mig?.gpuInstanceId, 'mig_gi_id');
      w.nullableUInt32(s.mig?.computeInstanceId, 'mig_ci_id');
      w.string(s.mig?.profile ?? '');
      w.uint32(ingestedAt, 'ingested_at');
      rows += 1;
    }
  }
  return { columns: GPU_SAMPLE_COLUMNS, data: w.bytes(), rows };
}

/** gpu_processes rows (migration 002) of the batches: each process at its batch's collection time. */
export function encodeGpuProcessRows(batches: readonly GpuSampleBatch[]): RowBinaryBatch {
  const w = new RowBinaryWriter(1 << 16);
  let rows = 0;
  for (const b of batches) {
    for (const p of b.processes) {
      instant(w, b.collectedAtMs);
      batchIdentity(w, b);
      w.string(p.gpuUuid);
      w.uint32(p.pid, 'pid');
      w.string(p.processName);
      w.nullableUInt64(p.usedMemoryBytes, 'used_memory_bytes');
      w.string(p.podUid ?? '');
      w.string(p.containerId ?? '');
      rows += 1;
    }
  }
  return { columns: GPU_PROCESS_COLUMNS, data: w.bytes(), rows };
}
