import { describe, it, expect } from 'vitest';
import { exampleOptimizationHint } from './examples.ts';
import { decodeOptimizationHint } from './optimization-hint.ts';

const hint = exampleOptimizationHint;

function reasonFor(value: unknown): string {
  const result = decodeOptimizationHint(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('OptimizationHint v1', () => {
  it('decodes a valid hint to an equal value', () => {
    expect(decodeOptimizationHint(JSON.stringify(hint))).toEqual({ ok: true, value: hint });
  });

  it('decodes a dismissed hint aimed at one pod', () => {
    const value = {
      ...hint,
      kind: 'idle-shutdown',
      status: 'dismissed',
      target: { ...hint.target, pod: 'qwen-vllm-6d8f7c9b5-x2kqp' },
    };
    expect(decodeOptimizationHint(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  it.each([
    ['confidence above 1', { ...hint, confidence: 1.2 }, 'confidence:'],
    ['confidence as a percentage string', { ...hint, confidence: '80%' }, 'confidence:'],
    ['a negative saving', { ...hint, estimatedMonthlySavingUsd: -5 }, 'estimatedMonthlySavingUsd:'],
    ['an unknown kind', { ...hint, kind: 'downscale' }, 'kind:'],
    ['an unknown status', { ...hint, status: 'applied' }, 'status:'],
    [
      'a target without workload',
      { ...hint, target: { cluster: 'prod-eu', namespace: 'inference', pod: null } },
      'target.workload: missing',
    ],
    ['a target pod that is a number', { ...hint, target: { ...hint.target, pod: 7 } }, 'target.pod:'],
  ])('rejects %s, naming the field', (_name, value, expected) => {
    expect(reasonFor(value)).toContain(expected);
  });
});
