import { describe, it, expect } from 'vitest';
import { exampleModelServerSample } from './examples.ts';
import { decodeModelServerSample } from './model-server-sample.ts';

const sample = exampleModelServerSample;

function reasonFor(value: unknown): string {
  const result = decodeModelServerSample(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('ModelServerSample v1', () => {
  it('decodes a valid sample to an equal value', () => {
    expect(decodeModelServerSample(JSON.stringify(sample))).toEqual({ ok: true, value: sample });
  });

  it('decodes a Triton sample without queue depth or KV cache, outside Kubernetes', () => {
    const value = {
      ...sample,
      server: 'triton',
      model: 'densenet_onnx',
      podUid: null,
      queueDepth: null,
      kvCacheUsagePct: null,
    };
    expect(decodeModelServerSample(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  it.each([
    [
      'a negative delta (counter reset not handled)',
      { ...sample, generationTokensDelta: -120 },
      'generationTokensDelta:',
    ],
    ['a zero window', { ...sample, windowMs: 0 }, 'windowMs:'],
    ['a fractional window', { ...sample, windowMs: 15_000.5 }, 'windowMs:'],
    ['KV cache usage above 100', { ...sample, kvCacheUsagePct: 100.5 }, 'kvCacheUsagePct:'],
    ['negative queue depth', { ...sample, queueDepth: -1 }, 'queueDepth:'],
    ['unknown server', { ...sample, server: 'sglang' }, 'server:'],
    ['empty model name', { ...sample, model: '' }, 'model:'],
    ['latency count as a string', { ...sample, latencyCount: '42' }, 'latencyCount:'],
  ])('rejects %s, naming the field', (_name, value, path) => {
    expect(reasonFor(value)).toContain(path);
  });
});
