import { describe, it, expect } from 'vitest';
import { exampleNodeHint } from './examples.ts';
import { decodeNodeHint, nodeHintKey } from './node-hint.ts';

const hint = exampleNodeHint;

function reasonFor(value: unknown): string {
  const result = decodeNodeHint(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('NodeHint v1', () => {
  it('decodes a valid hint to an equal value, keyed by cluster and node', () => {
    expect(decodeNodeHint(JSON.stringify(hint))).toEqual({ ok: true, value: hint });
    expect(nodeHintKey(hint.cluster, hint.node)).toBe('prod-eu/gpu-node-07');
  });

  it('decodes a GPU without utilization (MIG under nvidia-smi) and a node without a price', () => {
    const gpu = { ...hint.gpus[0], utilizationAvgPct: null, utilizationP95Pct: null, utilizationHeadroomPct: null };
    const value = {
      ...hint,
      gpus: [gpu],
      costUsdPerHour: null,
      idleCostUsdPerHour: null,
      utilizationHeadroomPct: null,
    };
    expect(decodeNodeHint(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  it.each([
    [
      'a GPU share above a whole GPU',
      { ...hint, gpus: [{ ...hint.gpus[0], allocatedMilli: 1001 }] },
      'gpus[0].allocatedMilli:',
    ],
    [
      'a fragmentation ratio above 1',
      { ...hint, fragmentation: { ...hint.fragmentation, ratio: 1.5 } },
      'fragmentation.ratio:',
    ],
    [
      'an unknown fragmentation measure',
      { ...hint, fragmentation: { ...hint.fragmentation, measure: 'fgd' } },
      'fragmentation.measure:',
    ],
    [
      'a dismissed recommendation listed as pending',
      { ...hint, pendingRecommendations: [{ ...hint.pendingRecommendations[0], status: 'dismissed' }] },
      'pendingRecommendations[0].status:',
    ],
    ['a computedAtMs in seconds', { ...hint, computedAtMs: 1_752_483_644 }, 'computedAtMs:'],
  ])('rejects %s, naming the field', (_name, value, expected) => {
    expect(reasonFor(value)).toContain(expected);
  });
});
