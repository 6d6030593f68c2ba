import { describe, expect, it } from 'vitest';
import { ModelServerSampleSchema } from '../../contracts/index.ts';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { computeModelServerReadings, counterDelta } from './model-server-deltas.ts';
import { parseModelServerMetrics } from './model-server-metrics.ts';

const T = Date.UTC(2026, 2, 20, 12, 0, 0);
const VLLM = readFixture('vllm', 'kops-vllm-v1-qwen2.5-0.5b-L4.prom');
const TRITON = readFixture('triton', 'datadog-triton-densenet-onnx-T4-with-cache-metrics.prom');
const QWEN = 'Qwen/Qwen2.5-0.5B-Instruct';

/** The capture with new values on the lines of `name` whose labels contain `labels` (a synthetic later scrape). */
function withValue(text: string, name: string, labels: string, value: number): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${name}{`) && l.includes(labels));
  if (i < 0) throw new Error(`no ${name}{${labels}} in the capture`);
  lines[i] = `${(lines[i] ?? '').slice(0, (lines[i] ?? '').lastIndexOf(' '))} ${value}`;
  return lines.join('\n');
}
const vllmAt = (v: Record<string, number>, text = VLLM) =>
  Object.entries(v).reduce((t, [key, value]) => {
    const [name, labels = ''] = key.split('|');
    return withValue(t, name as string, labels, value);
  }, text);
const window = (windowMs: number) => ({ podUid: 'pod-1', observedAtMs: T + windowMs, windowMs });

describe('computeModelServerReadings: deltas per series, then per model', () => {
  const first = parseModelServerMetrics('vllm', VLLM);
  const second = parseModelServerMetrics(
    'vllm',
    vllmAt({
      'vllm:prompt_tokens_total': 1500,
      'vllm:generation_tokens_total': 300,
      'vllm:request_success_total|finished_reason="stop"': 4,
      'vllm:request_success_total|finished_reason="length"': 1,
      'vllm:e2e_request_latency_seconds_sum': 2.5,
      'vllm:e2e_request_latency_seconds_count': 5,
      'vllm:num_requests_waiting': 2,
      'vllm:kv_cache_usage_perc': 0.25,
    }),
  );

  it('the first scrape only sets the baseline', () => {
    expect(computeModelServerReadings(null, first, window(1))).toEqual([]);
  });

  it('vLLM: fixture values + N give exactly N, in contract units (s → ms, ratio → %)', () => {
    const readings = computeModelServerReadings(first, second, window(15_000));
    expect(readings).toEqual([
      {
        server: 'vllm',
        model: QWEN,
        podUid: 'pod-1',
        observedAtMs: T + 15_000,
        windowMs: 15_000,
        requestsDelta: 5,
        promptTokensDelta: 1500,
        generationTokensDelta: 300,
        latencyMsSum: 2500,
        latencyCount: 5,
        queueDepth: 2,
        kvCacheUsagePct: 25,
      },
    ]);
    const record = { ...readings[0], schemaVersion: 1, agentId: 'a', cluster: 'c', node: 'n' };
    expect(ModelServerSampleSchema.safeParse(record).success).toBe(true);
  });

  it('a counter that goes down is a reset: the delta is the new value (never negative)', () => {
    const restarted = parseModelServerMetrics(
      'vllm',
      vllmAt({
        'vllm:prompt_tokens_total': 200,
        'vllm:generation_tokens_total': 350,
        'vllm:request_success_total|finished_reason="stop"': 1,
      }),
    );
    const [r] = computeModelServerReadings(second, restarted, window(10_000));
    expect(r).toMatchObject({ promptTokensDelta: 200, generationTokensDelta: 50, requestsDelta: 1 });
  });

  it('Triton: densenet_onnx 3 → 8 requests and +2 s of request time; untouched models read 0', () => {
    const later = withValue(
      withValue(TRITON, 'nv_inference_request_success', 'densenet_onnx', 8),
      'nv_inference_request_duration_us',
      'densenet_onnx',
      1327965 + 2_000_000,
    );
    const readings = computeModelServerReadings(
      parseModelServerMetrics('triton', TRITON),
      parseModelServerMetrics('triton', later),
      window(30_000),
    );
    expect(readings).toHaveLength(8);
    expect(readings.find((r) => r.model === 'densenet_onnx')).toMatchObject({
      requestsDelta: 5,
      latencyCount: 5,
      latencyMsSum: 2000,
      promptTokensDelta: 0,
      kvCacheUsagePct: null,
      queueDepth: 0,
    });
    expect(readings.find((r) => r.model === 'simple')).toMatchObject({ requestsDelta: 0, latencyMsSum: 0 });
  });

  it('a series that appears after the baseline counts from 0 (new model, lazily created label)', () => {
    const before = parseModelServerMetrics('triton', 'nv_inference_request_success{model="a",version="1"} 10\n');
    const after = parseModelServerMetrics(
      'triton',
      'nv_inference_request_success{model="a",version="1"} 12\nnv_inference_request_success{model="b",version="1"} 4\n',
    );
    expect(computeModelServerReadings(before, after, window(1000)).map((r) => [r.model, r.requestsDelta])).toEqual([
      ['a', 2],
      ['b', 4],
    ]);
  });

  it('counterDelta', () => {
    expect([counterDelta(undefined, 7), counterDelta(5, 7), counterDelta(9, 7), counterDelta(7, 7)]).toEqual([
      7, 2, 7, 0,
    ]);
  });
});
