import type { DeliveredRecord, ModelServerSample, PodEvent } from '../../contracts/index.ts';
import { SampleNumber, type PackedGpuBatch } from './packed-gpu-batch.ts';
import { SEQ_BUCKET_SIZE } from '../store/telemetry-gap-store.ts';
import type { IngestBatchRow, IngestMarks, ModelServerSampleRow, PodEventRow } from '../store/rows.ts';

export { toGpuProcessRows, toGpuSampleRows } from '../store/gpu-batch-rows.ts';

/** The ledger row of a batch taken from bus position `from`. */
export function toIngestBatchRow(b: PackedGpuBatch, from: DeliveredRecord, ingestedAtMs: number): IngestBatchRow {
  return {
    agent_id: b.agentId,
    boot_id: b.bootId,
    seq: b.seq,
    cluster: b.cluster,
    node: b.node,
    topic: from.topic,
    partition: from.partition,
    offset: from.offset,
    sample_count: b.sampleCount,
    collected_at_ms: b.collectedAtMs,
    ingested_at_ms: ingestedAtMs,
  };
}

/** Pod lifecycle event → pod_events row (the GPU request union flattened, labels as parallel arrays). */
export function toPodEventRow(e: PodEvent, ingestedAtMs: number): PodEventRow {
  const r = e.gpuRequest;
  const labels = Object.entries(e.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    at_ms: e.atMs,
    cluster: e.cluster,
    node: e.node,
    pod_uid: e.podUid,
    namespace: e.namespace,
    pod_name: e.podName,
    event: e.event,
    gpu_request_kind: r.kind,
    gpu_request_count: r.kind === 'whole' || r.kind === 'mig' ? r.count : 0,
    gpu_request_milli: r.kind === 'fraction' ? r.milli : 0,
    gpu_request_memory_bytes: r.kind === 'fraction' ? (r.memoryBytes ?? null) : null,
    gpu_request_mig_profile: r.kind === 'mig' ? r.profile : '',
    label_keys: labels.map(([k]) => k),
    label_values: labels.map(([, v]) => v),
    owner_kind: e.owner?.kind ?? '',
    owner_name: e.owner?.name ?? '',
    gpu_uuids: e.gpuUuids,
    ingested_at_ms: ingestedAtMs,
  };
}

/**
 * Model-server sample → model_server_samples row. The table keeps counter deltas as UInt64: a
 * fractional delta (Prometheus counters are floats) is rounded to the nearest integer.
 */
export function toModelServerSampleRow(m: ModelServerSample, ingestedAtMs: number): ModelServerSampleRow {
  return {
    observed_at_ms: m.observedAtMs,
    agent_id: m.agentId,
    cluster: m.cluster,
    node: m.node,
    server: m.server,
    model: m.model,
    pod_uid: m.podUid ?? '',
    window_ms: m.windowMs,
    requests_delta: Math.round(m.requestsDelta),
    prompt_tokens_delta: Math.round(m.promptTokensDelta),
    generation_tokens_delta: Math.round(m.generationTokensDelta),
    latency_ms_sum: m.latencyMsSum,
    latency_count: Math.round(m.latencyCount),
    queue_depth: m.queueDepth,
    kv_cache_usage_pct: m.kvCacheUsagePct,
    ingested_at_ms: ingestedAtMs,
  };
}

const MINUTE_MS = 60_000;

/** The change marks of a set of GPU batches: the 1-minute windows and nodes of their samples, the seq buckets of their ledger rows. */
/** Distinct (a, b, n) triples, without a string key per element (a and b repeat: a cluster, a node). */
class Triples<T> {
  readonly #byA = new Map<string, Map<string, Map<number, T>>>();
  readonly values: T[] = [];
  add(a: string, b: string, n: number, make: () => T): void {
    let byB = this.#byA.get(a);
    if (byB === undefined) this.#byA.set(a, (byB = new Map<string, Map<number, T>>()));
    let byN = byB.get(b);
    if (byN === undefined) byB.set(b, (byN = new Map<number, T>()));
    if (byN.has(n)) return;
    const value = make();
    byN.set(n, value);
    this.values.push(value);
  }
}

export function toIngestMarks(batches: readonly PackedGpuBatch[], ingestedAtMs: number): IngestMarks {
  const windows = new Triples<{ window_start_ms: number; cluster: string; node: string }>();
  const buckets = new Triples<{ agent_id: string; boot_id: string; seq_bucket: number }>();
  for (const b of batches) {
    let last = -1;
    for (let i = 0; i < b.sampleCount; i++) {
      const window_start_ms = Math.floor(b.sampleNumber(i, SampleNumber.observedAtMs) / MINUTE_MS) * MINUTE_MS;
      if (window_start_ms === last) continue; // a batch's samples share a window almost always
      last = window_start_ms;
      windows.add(b.cluster, b.node, window_start_ms, () => ({ window_start_ms, cluster: b.cluster, node: b.node }));
    }
    const seq_bucket = Math.floor(b.seq / SEQ_BUCKET_SIZE);
    buckets.add(b.agentId, b.bootId, seq_bucket, () => ({ agent_id: b.agentId, boot_id: b.bootId, seq_bucket }));
  }
  return { ingestedAtMs, windows: windows.values, seqBuckets: buckets.values };
}
