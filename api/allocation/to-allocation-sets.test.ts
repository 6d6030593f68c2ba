import { describe, expect, it } from 'vitest';
import type { AllocationGroup } from '../../pipeline/store/allocation-store.ts';
import { toAllocationSets, type AllocationOptions } from './to-allocation-sets.ts';

const H = 3_600_000;
const T = Date.UTC(2026, 10, 2);
const group = (o: Partial<AllocationGroup>): AllocationGroup => ({
  step: 0,
  bucket: 'workload',
  keys: ['a'],
  node: 'n1',
  costUsd: 0,
  wasteUsd: 0,
  allocatedGpuSeconds: 3600,
  usedGpuSeconds: 0,
  startMs: T,
  endMs: T + H,
  podUid: 'u',
  pods: 1,
  gpuModels: ['H100'],
  ...o,
});
const opts = (o: Partial<AllocationOptions>): AllocationOptions => ({
  range: { fromMs: T, toMs: T + 2 * H },
  stepMs: H,
  by: ['tenant'],
  includeIdle: false,
  shareIdle: false,
  idleByNode: false,
  accumulate: false,
  ...o,
});
const costs = (sets: ReturnType<typeof toAllocationSets>) =>
  sets.map((s) => Object.fromEntries(Object.entries(s).map(([k, a]) => [k, a.gpuCost])));
const none = { pods: new Map(), tokens: new Map() };

describe('ledger groups to OpenCost allocation sets', () => {
  const groups = [
    group({ step: 1, keys: ['a'], costUsd: 3 }),
    group({ step: 1, keys: ['b'], node: 'n2', costUsd: 1 }),
    group({ step: 1, bucket: 'idle', keys: ['__idle__'], node: 'n1', costUsd: 4 }),
    group({ step: 0, keys: ['a'], costUsd: 2 }),
  ];

  it('orders sets oldest first and drops, shows or shares idle; the total stays the fleet', () => {
    expect(costs(toAllocationSets(groups, opts({}), none))).toEqual([{ a: 3, b: 1 }, { a: 2 }]);
    expect(costs(toAllocationSets(groups, opts({ includeIdle: true }), none))).toEqual([
      { a: 3, b: 1, __idle__: 4 },
      { a: 2 },
    ]);
    expect(costs(toAllocationSets(groups, opts({ includeIdle: true, idleByNode: true }), none))[0]).toEqual({
      a: 3,
      b: 1,
      'n1/__idle__': 4,
    });
    expect(costs(toAllocationSets(groups, opts({ shareIdle: true }), none))[0]).toEqual({ a: 6, b: 2 });
    // By node: n1's idle goes to n1's allocations only.
    expect(costs(toAllocationSets(groups, opts({ shareIdle: true, idleByNode: true }), none))[0]).toEqual({
      a: 7,
      b: 1,
    });
    expect(costs(toAllocationSets(groups, opts({ shareIdle: true, accumulate: true }), none))).toEqual([
      { a: 8, b: 2 },
    ]);
  });

  it('keeps idle that has nobody to go to as an idle allocation', () => {
    const alone = [group({ bucket: 'idle', keys: ['__idle__'], costUsd: 5 })];
    expect(costs(toAllocationSets(alone, opts({ shareIdle: true, range: { fromMs: T, toMs: T + H } }), none))).toEqual([
      { __idle__: 5 },
    ]);
  });
});
