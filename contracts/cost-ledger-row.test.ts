import { describe, it, expect } from 'vitest';
import { decodeCostLedgerRow, IDLE_BUCKET, UNALLOCATED } from './cost-ledger-row.ts';
import { exampleCostLedgerRow } from './examples.ts';

const idleRow = exampleCostLedgerRow;
const workloadRow = {
  ...idleRow,
  bucket: 'workload',
  namespace: 'inference',
  pod: 'qwen-vllm-6d8f7c9b5-x2kqp',
  podUid: '90d81341-92de-11e7-8cf2-507b9d4141fa',
  tenant: 'acme',
  team: UNALLOCATED,
  workload: 'qwen-vllm',
  model: 'Qwen/Qwen2.5-0.5B-Instruct',
  labels: { tenant: 'acme' },
  allocatedGpuSeconds: 3600,
  usedGpuSeconds: 410.4,
  costUsd: 4.1,
  wasteUsd: 3.63,
};

function reasonFor(value: unknown): string {
  const result = decodeCostLedgerRow(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('CostLedgerRow v1', () => {
  it('names the special buckets as OpenCost does', () => {
    expect(IDLE_BUCKET).toBe('__idle__');
    expect(UNALLOCATED).toBe('__unallocated__');
  });

  it.each([
    ['an idle row', idleRow],
    ['a workload row', workloadRow],
  ])('decodes %s to an equal value', (_name, row) => {
    expect(decodeCostLedgerRow(JSON.stringify(row))).toEqual({ ok: true, value: row });
  });

  it.each([
    [
      'an empty window',
      { ...workloadRow, windowEndMs: workloadRow.windowStartMs },
      'windowEndMs: must be greater than windowStartMs',
    ],
    [
      'a reversed window',
      { ...workloadRow, windowEndMs: workloadRow.windowStartMs - 1 },
      'windowEndMs: must be greater than windowStartMs',
    ],
    ['a negative cost', { ...workloadRow, costUsd: -0.01 }, 'costUsd:'],
    ['a negative waste', { ...workloadRow, wasteUsd: -1 }, 'wasteUsd:'],
    ['negative allocated GPU-seconds', { ...workloadRow, allocatedGpuSeconds: -3600 }, 'allocatedGpuSeconds:'],
    ['a price as a string', { ...workloadRow, priceUsdPerGpuHour: '$4.10' }, 'priceUsdPerGpuHour:'],
    ['an unknown pricing tier', { ...workloadRow, pricingTier: 'reserved' }, 'pricingTier:'],
    ['an unknown bucket', { ...workloadRow, bucket: 'shared' }, 'bucket:'],
    [
      'a missing tenant',
      Object.fromEntries(Object.entries(workloadRow).filter(([key]) => key !== 'tenant')),
      'tenant: missing',
    ],
  ])('rejects %s, naming the field', (_name, value, expected) => {
    expect(reasonFor(value)).toContain(expected);
  });
});
