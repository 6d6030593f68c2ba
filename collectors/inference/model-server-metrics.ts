import type { ModelServerKind } from '../../contracts/index.ts';
import { readPromText } from './prometheus-text.ts';

/** Cumulative counters we turn into per-window deltas (contract units: counts, milliseconds). */
export type CounterField = 'requests' | 'promptTokens' | 'generationTokens' | 'latencyMsSum' | 'latencyCount';
/** Gauges read at scrape time. */
export type GaugeField = 'queueDepth' | 'kvCacheUsagePct';

interface ServerMetrics {
  /** The label naming the model; null when the server serves one unnamed model (TGI). */
  readonly modelLabel: string | null;
  /** Metric name → the counter fields it feeds, with the factor to contract units. */
  readonly counters: Readonly<Record<string, readonly (readonly [CounterField, number])[]>>;
  /** Metric name → gauge field, factor, and how several series of one model combine. */
  readonly gauges: Readonly<Record<string, readonly [GaugeField, number, 'sum' | 'mean']>>;
}

/**
 * What each server exposes, as data. vLLM (V0 and V1): `model_name` label, request counts per
 * `finished_reason`, e2e latency histogram in seconds, KV-cache usage as a 0..1 ratio. Triton:
 * `model` (+ `version`) labels, success + failure counters, cumulative durations in µs, no token
 * counters (token deltas stay 0). TGI (and IBM's TGIS adapter): one model, no model label; token
 * counts are the `_sum` of the input-length and generated-tokens histograms.
 */
export const MODEL_SERVER_METRICS: Readonly<Record<ModelServerKind, ServerMetrics>> = {
  vllm: {
    modelLabel: 'model_name',
    counters: {
      'vllm:request_success_total': [['requests', 1]],
      'vllm:prompt_tokens_total': [['promptTokens', 1]],
      'vllm:generation_tokens_total': [['generationTokens', 1]],
      'vllm:e2e_request_latency_seconds_sum': [['latencyMsSum', 1000]],
      'vllm:e2e_request_latency_seconds_count': [['latencyCount', 1]],
    },
    gauges: {
      'vllm:num_requests_waiting': ['queueDepth', 1, 'sum'],
      'vllm:kv_cache_usage_perc': ['kvCacheUsagePct', 100, 'mean'],
      'vllm:gpu_cache_usage_perc': ['kvCacheUsagePct', 100, 'mean'],
    },
  },
  triton: {
    modelLabel: 'model',
    counters: {
      nv_inference_request_success: [
        ['requests', 1],
        ['latencyCount', 1],
      ],
      nv_inference_request_failure: [
        ['requests', 1],
        ['latencyCount', 1],
      ],
      nv_inference_request_duration_us: [['latencyMsSum', 0.001]],
    },
    gauges: { nv_inference_pending_request_count: ['queueDepth', 1, 'sum'] },
  },
  tgi: {
    modelLabel: null,
    counters: {
      tgi_request_count: [['requests', 1]],
      tgi_request_input_length_sum: [['promptTokens', 1]],
      tgi_request_generated_tokens_sum: [['generationTokens', 1]],
      tgi_request_duration_sum: [['latencyMsSum', 1000]],
      tgi_request_duration_count: [['latencyCount', 1]],
    },
    gauges: { tgi_queue_size: ['queueDepth', 1, 'sum'] },
  },
};

/** One counter series of one scrape: the raw counter and the factor to contract units. */
export interface CounterPoint {
  readonly model: string;
  readonly field: CounterField;
  /** As the server printed it; deltas are taken on this, then scaled (exact for integer counters). */
  readonly value: number;
  readonly scale: number;
}

/** One parsed `/metrics` page of a model server: cumulative counters per series, gauges per model. */
export interface ModelServerScrape {
  readonly server: ModelServerKind;
  /** Keyed by field + metric name + full label set, so deltas are taken per series. */
  readonly counters: ReadonlyMap<string, CounterPoint>;
  readonly gauges: ReadonlyMap<string, Readonly<Record<GaugeField, number | null>>>;
  readonly errors: readonly string[];
}

/** Rounds away float noise of unit scaling (0.29 × 100 = 28.999999999999996) at 1e-6. */
export const roundMicro = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Placeholder model name when a server does not label its model and none is configured. */
export const UNKNOWN_MODEL = '__unknown__';

const seriesKey = (field: string, name: string, labels: Readonly<Record<string, string>>): string =>
  JSON.stringify([field, name, ...Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))]);

/** Parses one scrape of `server`; `defaultModel` names the model when the server has no label for it. */
export function parseModelServerMetrics(
  server: ModelServerKind,
  text: string,
  defaultModel = UNKNOWN_MODEL,
): ModelServerScrape {
  const spec = MODEL_SERVER_METRICS[server];
  const read = readPromText(text, { wanted: (name) => name in spec.counters || name in spec.gauges });
  const errors = [...read.errors];
  const counters = new Map<string, CounterPoint>();
  const gaugeParts = new Map<string, Map<GaugeField, { values: number[]; combine: 'sum' | 'mean' }>>();
  for (const s of read.samples) {
    const model = (spec.modelLabel ? s.labels[spec.modelLabel] : undefined) || defaultModel;
    if (!Number.isFinite(s.value) || s.value < 0) {
      errors.push(`${s.name} (line ${s.line}): value ${s.value} is not a finite non-negative number`);
      continue;
    }
    for (const [field, factor] of spec.counters[s.name] ?? [])
      counters.set(seriesKey(field, s.name, s.labels), { model, field, value: s.value, scale: factor });
    const gauge = spec.gauges[s.name];
    if (gauge) {
      const perModel = gaugeParts.get(model) ?? new Map<GaugeField, { values: number[]; combine: 'sum' | 'mean' }>();
      gaugeParts.set(model, perModel);
      const part = perModel.get(gauge[0]) ?? { values: [], combine: gauge[2] };
      perModel.set(gauge[0], part);
      part.values.push(s.value * gauge[1]);
    }
  }
  const combined = (
    m: Map<GaugeField, { values: number[]; combine: 'sum' | 'mean' }>,
    f: GaugeField,
  ): number | null => {
    const part = m.get(f);
    if (!part) return null;
    const sum = part.values.reduce((a, b) => a + b, 0);
    return roundMicro(part.combine === 'sum' ? sum : sum / part.values.length);
  };
  const gauges = new Map(
    [...gaugeParts].map(
      ([model, m]) =>
        [model, { queueDepth: combined(m, 'queueDepth'), kvCacheUsagePct: combined(m, 'kvCacheUsagePct') }] as const,
    ),
  );
  return { server, counters, gauges, errors };
}
