/**
 * gpu_xid_events (migration 030): the Xid codes agents attached to GPU samples, written with the
 * batch's samples, read by the anomaly rules (rule-inputs-store.ts). Replays collapse by key.
 */
import type { SqlExecutor } from './executor.ts';
import { SampleNumber, SampleSpan, type PackedGpuBatch } from '../ingest/packed-gpu-batch.ts';
import { toEpochSeconds, toUtcDate } from './sql.ts';

export interface XidEventRow {
  readonly ts_ms: number;
  readonly cluster: string;
  readonly node: string;
  readonly gpu_uuid: string;
  readonly agent_id: string;
  readonly boot_id: string;
  readonly seq: number;
  readonly ordinal: number;
  readonly xid: number;
}

/** The Xid rows of packed batches (most batches have none). */
export function toXidEventRows(batches: readonly PackedGpuBatch[]): XidEventRow[] {
  return batches.flatMap((b) =>
    b.xids.map((x) => ({
      ts_ms: b.sampleNumber(x.sample, SampleNumber.observedAtMs),
      cluster: b.cluster,
      node: b.node,
      gpu_uuid: b.string(b.sampleSpan(x.sample, SampleSpan.gpuUuid)),
      agent_id: b.agentId,
      boot_id: b.bootId,
      seq: b.seq,
      ordinal: x.ordinal,
      xid: x.xid,
    })),
  );
}

/** Inserts Xid rows (no-op for none); `ingestedAtMs` stamps ingested_at. */
export function insertXidEvents(
  executor: SqlExecutor,
  database: string,
  rows: readonly XidEventRow[],
  ingestedAtMs: number,
): Promise<void> {
  const ingested_at = toEpochSeconds(ingestedAtMs);
  return executor.insert(
    `${database}.gpu_xid_events`,
    rows.map((r) => ({ ...r, ts: toEpochSeconds(r.ts_ms), date: toUtcDate(r.ts_ms), ingested_at })),
  );
}
