import { Topics, type GpuSampleBatch } from '../../contracts/index.ts';
import type { Positioned } from '../../pipeline/ingest/decode-records.ts';
import { packGpuSampleBatch, type PackedGpuBatch } from '../../pipeline/ingest/packed-gpu-batch.ts';

/** Records as the ingest writers get them: with a bus position (partition 0, offsets 0, 1, …). */
export function positioned<T>(
  records: readonly T[],
  topic: string,
  meta: (record: T) => { readonly key: string | null; readonly timestampMs: number },
): Positioned<T>[] {
  return records.map((record, i) => ({
    record,
    from: { topic, partition: 0, offset: String(i), value: '', ...meta(record) },
  }));
}

/** GPU batches as the ingest decoder hands them on (packed), keyed by node, stamped with their collection time. */
export const positionedBatches = (batches: readonly GpuSampleBatch[]): Positioned<PackedGpuBatch>[] =>
  positioned(batches.map(packGpuSampleBatch), Topics.gpuSamples, (b) => ({
    key: b.node,
    timestampMs: b.collectedAtMs,
  }));
