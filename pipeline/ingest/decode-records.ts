import type { DeliveredRecord, GpuSampleBatch, ModelServerSample, PodEvent } from '../../contracts/index.ts';
import type { Result } from '../../contracts/index.ts';
import {
  decodeGpuSampleBatch,
  decodeModelServerSample,
  decodePodEvent,
  decodeValue,
  GpuSampleBatchSchema,
  ok,
  Topics,
} from '../../contracts/index.ts';
import { packGpuSampleBatch, SampleNumber, type PackedGpuBatch } from './packed-gpu-batch.ts';
import { checkGpuSampleBatch } from './fast-batch-check.ts';
import { scanGpuSampleBatch } from './gpu-batch-scanner.ts';

/** A decoded record with the bus position it came from. */
export interface Positioned<T> {
  readonly record: T;
  readonly from: DeliveredRecord;
}

/** A record the store can take, tagged by its topic. `rows`: the rows it adds (batch sizing). GPU batches stay packed (packed-gpu-batch.ts). */
export type DecodedRecord =
  | { readonly topic: typeof Topics.gpuSamples; readonly item: Positioned<PackedGpuBatch>; readonly rows: number }
  | { readonly topic: typeof Topics.podEvents; readonly item: Positioned<PodEvent>; readonly rows: number }
  | {
      readonly topic: typeof Topics.modelServerSamples;
      readonly item: Positioned<ModelServerSample>;
      readonly rows: number;
    };

export interface Rejected {
  readonly from: DeliveredRecord;
  readonly reason: string;
}

export interface ValidationLimits {
  /** A timestamp further ahead of the pipeline's clock than this is refused (a wrong host clock would create far-future partitions). */
  readonly maxFutureSkewMs: number;
}

export const DEFAULT_VALIDATION: ValidationLimits = { maxFutureSkewMs: 86_400_000 };

const future = (field: string, atMs: number, nowMs: number, limits: ValidationLimits): string | null =>
  atMs > nowMs + limits.maxFutureSkewMs
    ? `${field}: ${new Date(atMs).toISOString()} is more than ${limits.maxFutureSkewMs} ms ahead of the pipeline clock`
    : null;

function validateBatch(b: PackedGpuBatch, nowMs: number, limits: ValidationLimits): string | null {
  for (let i = 0; i < b.sampleCount; i++) {
    const problem = future(`samples[${i}].observedAtMs`, b.sampleNumber(i, SampleNumber.observedAtMs), nowMs, limits);
    if (problem) return problem;
  }
  return future('collectedAtMs', b.collectedAtMs, nowMs, limits);
}

/**
 * A delivered record whose bus kept the value's UTF-8 bytes (bus/kafka-bus.ts does, and decodes
 * `value` only when asked): the GPU batch scanner reads them, so the hot path never makes the string.
 */
interface WithValueBytes {
  readonly valueBytes?: Uint8Array | null;
}

/**
 * A `telemetry.gpu-samples.v1` value, decoded and packed: by the one-pass scanner (gpu-batch-scanner.ts)
 * when it can vouch for the text, else by decodeGpuSampleBatchFast, whose zod schema has the final say.
 * `bytes`: the value's UTF-8 bytes when the caller has them.
 */
export function decodePackedGpuSampleBatch(value: string | (() => string), bytes?: Uint8Array): Result<PackedGpuBatch> {
  const text = () => (typeof value === 'string' ? value : value());
  const scanned = scanGpuSampleBatch(bytes ?? Buffer.from(text(), 'utf8'));
  if (scanned !== null) return ok(scanned);
  const r = decodeGpuSampleBatchFast(text());
  return r.ok ? ok(packGpuSampleBatch(r.value)) : r;
}

/**
 * decodeGpuSampleBatch's result, faster: JSON.parse, then the hand-written check (fast-batch-check.ts);
 * only what it does not accept as is goes through the zod schema, which gives the verdict and reason.
 */
export function decodeGpuSampleBatchFast(raw: string): Result<GpuSampleBatch> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return decodeGpuSampleBatch(raw); // for the decoder's own "invalid JSON: …" reason
  }
  const checked = checkGpuSampleBatch(value);
  return checked === null ? decodeValue(GpuSampleBatchSchema, value) : ok(checked);
}

/**
 * Decodes one delivered record of an ingest topic and checks what the schema cannot (timestamps
 * against the clock). Pure given `nowMs`. A reason starts with the field path, so that
 * dead-letters.ts can count reasons by category.
 */
export function decodeRecord(
  from: DeliveredRecord,
  nowMs: number,
  limits: ValidationLimits = DEFAULT_VALIDATION,
): DecodedRecord | Rejected {
  switch (from.topic) {
    case Topics.gpuSamples: {
      const r = decodePackedGpuSampleBatch(() => from.value, (from as WithValueBytes).valueBytes ?? undefined);
      if (!r.ok) return { from, reason: r.error };
      const problem = validateBatch(r.value, nowMs, limits);
      return problem
        ? { from, reason: problem }
        : {
            topic: Topics.gpuSamples,
            item: { record: r.value, from },
            rows: r.value.sampleCount + r.value.processCount + 1,
          };
    }
    case Topics.podEvents: {
      const r = decodePodEvent(from.value);
      if (!r.ok) return { from, reason: r.error };
      const problem = future('atMs', r.value.atMs, nowMs, limits);
      return problem
        ? { from, reason: problem }
        : { topic: Topics.podEvents, item: { record: r.value, from }, rows: 1 };
    }
    case Topics.modelServerSamples: {
      const r = decodeModelServerSample(from.value);
      if (!r.ok) return { from, reason: r.error };
      const problem = future('observedAtMs', r.value.observedAtMs, nowMs, limits);
      return problem
        ? { from, reason: problem }
        : { topic: Topics.modelServerSamples, item: { record: r.value, from }, rows: 1 };
    }
    default:
      return { from, reason: `no decoder for topic ${from.topic} in the ingest pipeline` };
  }
}

export const isRejected = (d: DecodedRecord | Rejected): d is Rejected => 'reason' in d;
