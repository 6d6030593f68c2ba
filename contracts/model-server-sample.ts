import { z } from 'zod';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import {
  epochMsSchema,
  nonEmptyStringSchema,
  nonNegativeNumberSchema,
  percentSchema,
  schemaVersion1Schema,
} from './fields.ts';

/** Inference servers whose Prometheus `/metrics` the agent scrapes. */
export const ModelServerKind = { vllm: 'vllm', triton: 'triton', tgi: 'tgi' } as const;
export type ModelServerKind = (typeof ModelServerKind)[keyof typeof ModelServerKind];

/**
 * ModelServerSample v1 — what one model on one inference server did during one scrape window.
 * Topic `telemetry.model-server-samples.v1`, keyed by node.
 *
 * The agent turns the server's cumulative counters into deltas over the window
 * `(observedAtMs - windowMs, observedAtMs]`; after a counter reset (server restart) the delta is
 * the new counter value, never negative. The first scrape of a server only sets the baseline and
 * produces no sample. Summing deltas gives totals (tokens per model, cost per 1M tokens), so a
 * repeated record must be dropped: `(agentId, server, model, podUid, observedAtMs)` identifies one.
 *
 * Units: counts, milliseconds; `kvCacheUsagePct` 0..100 (vLLM's `kv_cache_usage_perc` is a 0..1
 * ratio and is scaled by the producer).
 */
export const ModelServerSampleSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    agentId: nonEmptyStringSchema,
    cluster: nonEmptyStringSchema,
    node: nonEmptyStringSchema,
    server: z.enum(ModelServerKind),
    /** Model name as the server labels it (vLLM `model_name`, Triton `model`, TGI model id). */
    model: nonEmptyStringSchema,
    /** Pod running the server; null outside Kubernetes or when unknown. */
    podUid: nonEmptyStringSchema.nullable(),
    /** End of the window (scrape time, host clock), UTC epoch ms. */
    observedAtMs: epochMsSchema,
    /** Length of the window the deltas cover, ms. */
    windowMs: z.int().min(1),
    /** Requests completed in the window (successful and failed). */
    requestsDelta: nonNegativeNumberSchema,
    promptTokensDelta: nonNegativeNumberSchema,
    generationTokensDelta: nonNegativeNumberSchema,
    /** Sum of end-to-end request latencies completed in the window, ms; mean = sum / count. */
    latencyMsSum: nonNegativeNumberSchema,
    latencyCount: nonNegativeNumberSchema,
    /** Requests waiting at scrape time (gauge); null when the server does not expose it. */
    queueDepth: nonNegativeNumberSchema.nullable(),
    /** KV-cache usage at scrape time, 0..100; null when the server does not expose it (Triton). */
    kvCacheUsagePct: percentSchema.nullable(),
  })
  .readonly();
export type ModelServerSample = z.infer<typeof ModelServerSampleSchema>;

/** Decodes one `telemetry.model-server-samples.v1` value. Never throws. */
export const decodeModelServerSample = (raw: string): Result<ModelServerSample> =>
  decodeJson(ModelServerSampleSchema, raw);
