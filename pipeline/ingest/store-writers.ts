import type { ModelServerSample, PodEvent } from '../../contracts/index.ts';
import type { PackedGpuBatch } from './packed-gpu-batch.ts';
import type { TelemetryStore } from '../store/telemetry-store.ts';
import { insertXidEvents, toXidEventRows } from '../store/xid-event-store.ts';
import type { Positioned } from './decode-records.ts';
import { toIngestBatchRow, toIngestMarks, toModelServerSampleRow, toPodEventRow } from './to-rows.ts';

/**
 * Where decoded records go: one writer per ingest topic. Each must be idempotent under redelivery
 * (the tables collapse replays by key) and resolve only once the store accepted everything.
 */
export interface IngestWriters {
  /** GPU batches as the ingest decoder packs them (packed-gpu-batch.ts). */
  readonly gpuSamples: (items: readonly Positioned<PackedGpuBatch>[]) => Promise<void>;
  readonly podEvents: (items: readonly Positioned<PodEvent>[]) => Promise<void>;
  readonly modelServerSamples: (items: readonly Positioned<ModelServerSample>[]) => Promise<void>;
}

/**
 * Ingest writers on the telemetry store. GPU batches: samples, processes and Xid codes first, then the batch
 * ledger row and the change marks, so a batch listed in ingest_batches has all its rows stored and a
 * marked window is readable when the rollup job sees the mark.
 */
export function createStoreWriters(store: TelemetryStore, now: () => number): IngestWriters {
  return {
    async gpuSamples(items) {
      const at = now();
      const batches = items.map((i) => i.record);
      await Promise.all([
        store.insertGpuBatches(batches, at),
        insertXidEvents(store.executor, store.database, toXidEventRows(batches), at),
      ]);
      await Promise.all([
        store.insertIngestBatches(items.map((i, k) => toIngestBatchRow(batches[k]!, i.from, at))),
        store.insertIngestMarks(toIngestMarks(batches, now())),
      ]);
    },
    async podEvents(items) {
      const at = now();
      await store.insertPodEvents(items.map((i) => toPodEventRow(i.record, at)));
    },
    async modelServerSamples(items) {
      const at = now();
      await store.insertModelServerSamples(items.map((i) => toModelServerSampleRow(i.record, at)));
    },
  };
}
