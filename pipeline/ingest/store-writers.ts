import type { TelemetryStore } from '../store/telemetry-store.ts';
import type { IngestWriters } from './ingest-consumer.ts';
import { toGpuProcessRows, toGpuSampleRows, toIngestBatchRow } from './to-rows.ts';

/**
 * Ingest writers on the telemetry store. Samples and processes first, the batch ledger row last: a
 * batch listed in ingest_batches has all its rows stored. Replays are collapsed by the tables' keys.
 */
export function createStoreWriters(store: TelemetryStore, now: () => number): IngestWriters {
  return {
    async gpuSamples(items) {
      const at = now();
      await store.insertGpuSamples(items.flatMap((i) => toGpuSampleRows(i.record, at)));
      await store.insertGpuProcesses(items.flatMap((i) => toGpuProcessRows(i.record)));
      await store.insertIngestBatches(items.map((i) => toIngestBatchRow(i, at)));
    },
  };
}
