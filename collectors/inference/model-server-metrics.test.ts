import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { modelServerTotals } from './model-server-deltas.ts';
import { parseModelServerMetrics } from './model-server-metrics.ts';

const totals = (kind: 'vllm' | 'triton' | 'tgi', folder: string, name: string, model?: string) => {
  const scrape = parseModelServerMetrics(kind, readFixture(folder, name), model);
  return { totals: modelServerTotals(scrape), errors: scrape.errors };
};

describe('parseModelServerMetrics on real captures', () => {
  it('vLLM V1 (Qwen2.5 on L4): one model, counters across finished_reason, gauges', () => {
    expect(totals('vllm', 'vllm', 'kops-vllm-v1-qwen2.5-0.5b-L4.prom')).toEqual({
      errors: [],
      totals: [
        {
          server: 'vllm',
          model: 'Qwen/Qwen2.5-0.5B-Instruct',
          requestsTotal: 0,
          promptTokensTotal: 0,
          generationTokensTotal: 0,
          latencyMsSumTotal: 0,
          latencyCountTotal: 0,
          queueDepth: 0,
          kvCacheUsagePct: 0,
        },
      ],
    });
  });

  it('Triton (8 models): densenet_onnx 3 requests, 1327965 µs → 1327.965 ms; no KV cache, no tokens', () => {
    const { totals: t, errors } = totals('triton', 'triton', 'datadog-triton-densenet-onnx-T4-with-cache-metrics.prom');
    expect(errors).toEqual([]);
    expect(t).toHaveLength(8);
    expect(t.find((m) => m.model === 'densenet_onnx')).toEqual({
      server: 'triton',
      model: 'densenet_onnx',
      requestsTotal: 3,
      promptTokensTotal: 0,
      generationTokensTotal: 0,
      latencyMsSumTotal: 1327.965,
      latencyCountTotal: 3,
      queueDepth: 0,
      kvCacheUsagePct: null,
    });
  });

  it('older Triton printing counters as floats: simple_identity 40 requests', () => {
    const { totals: t } = totals('triton', 'triton', 'issue-triton-server-pr3569-simple-models-float-values.prom');
    expect(t.map((m) => [m.model, m.requestsTotal])).toEqual([
      ['simple_identity', 40],
      ['simple_int8', 10],
      ['simple_string', 10],
      ['simple_sequence', 0],
      ['simple', 20],
    ]);
    expect(t[0]?.queueDepth).toBeNull(); // no pending-request gauge in that version
  });

  it('Triton r20.03 with no per-model samples: no models', () => {
    expect(totals('triton', 'triton', 'issue-triton-server-2755-r20.03-no-model-samples.prom')).toEqual({
      totals: [],
      errors: [],
    });
  });

  it('TGI metric names (TGIS adapter): one unlabelled model named by config, queue size 0', () => {
    const { totals: t } = totals('tgi', 'tgi', 'issue-IBM-vllm-pr18-tgis-adapter-tgi-metric-names.prom', 'ibm/granite');
    expect(t).toEqual([
      expect.objectContaining({
        server: 'tgi',
        model: 'ibm/granite',
        queueDepth: 0,
        requestsTotal: 0,
        kvCacheUsagePct: null,
      }),
    ]);
    expect(totals('tgi', 'tgi', 'issue-IBM-vllm-pr18-tgis-adapter-tgi-metric-names.prom').totals[0]?.model).toBe(
      '__unknown__',
    );
  });

  it('a negative or non-numeric counter is an error entry; the model is still read', () => {
    const text =
      'nv_inference_request_success{model="a",version="1"} -1\nnv_inference_request_success{model="a",version="2"} 7\nnv_inference_request_failure{model="a",version="1"} oops\n';
    const scrape = parseModelServerMetrics('triton', text);
    expect(modelServerTotals(scrape)[0]).toMatchObject({ model: 'a', requestsTotal: 7 });
    expect(scrape.errors).toEqual([
      "nv_inference_request_failure: 1 sample line dropped (line 3: value 'oops' is not a number)",
      'nv_inference_request_success (line 1): value -1 is not a finite non-negative number',
    ]);
  });
});
