import { describe, it, expect } from 'vitest';
import { exampleRecommendation } from './examples.ts';
import { decodeRecommendation } from './recommendation.ts';

const rec = exampleRecommendation;

function reasonFor(value: unknown): string {
  const result = decodeRecommendation(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('Recommendation v1', () => {
  it('decodes a valid recommendation to an equal value', () => {
    expect(decodeRecommendation(JSON.stringify(rec))).toEqual({ ok: true, value: rec });
  });

  it('decodes a consolidation (node target, node freed) and a realised one with its measured $', () => {
    const consolidate = {
      ...rec,
      kind: 'consolidate',
      target: { cluster: 'prod-eu', node: 't4-3', namespace: null, workload: null, pod: null, tenant: null },
      current: { gpuModel: 'T4', gpuRequest: { kind: 'whole', count: 4 } },
      recommended: { gpuModel: 'T4', gpuRequest: { kind: 'none' } },
    };
    expect(decodeRecommendation(JSON.stringify(consolidate))).toEqual({ ok: true, value: consolidate });
    const realised = {
      ...rec,
      status: 'realised',
      acceptedAtMs: rec.createdAtMs + 1,
      realisedMonthlySavingUsd: 1990.5,
    };
    expect(decodeRecommendation(JSON.stringify(realised))).toEqual({ ok: true, value: realised });
  });

  it.each([
    ['confidence above 1', { ...rec, confidence: 1.2 }, 'confidence:'],
    ['a negative estimated saving', { ...rec, estimatedMonthlySavingUsd: -5 }, 'estimatedMonthlySavingUsd:'],
    ['an unknown kind', { ...rec, kind: 'mig' }, 'kind:'],
    ['an unknown status', { ...rec, status: 'applied' }, 'status:'],
    ['a dismissal without a reason', { ...rec, status: 'dismissed', statusReason: null }, 'statusReason:'],
    ['a target without cluster', { ...rec, target: { ...rec.target, cluster: '' } }, 'target.cluster:'],
    [
      'a recommended MIG profile that is not a profile name',
      { ...rec, recommended: { gpuModel: 'A100-80GB', gpuRequest: { kind: 'mig', profile: 'half', count: 1 } } },
      'recommended.gpuRequest.profile:',
    ],
  ])('rejects %s, naming the field', (_name, value, expected) => {
    expect(reasonFor(value)).toContain(expected);
  });
});
