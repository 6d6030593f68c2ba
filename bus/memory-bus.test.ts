import { describe, expect, it } from 'vitest';
import type { DeliveredRecord } from '../contracts/bus.ts';
import { createMemoryBus } from './memory-bus.ts';
import { describeBusConformance } from '../test/bus-conformance.ts';
import { waitFor } from '../test/helpers/wait-for.ts';

describeBusConformance('in-process', () => Promise.resolve(createMemoryBus({ retryDelayMs: 10 })), 5000);

describe('in-process bus, compacted topic', () => {
  it('keeps one record per key: a late consumer gets only the latest, with their original offsets', async () => {
    const bus = createMemoryBus();
    try {
      await bus.ensureTopics(['hints'], { compacted: true });
      for (let minute = 0; minute < 1000; minute++)
        await bus.send('hints', [
          { key: 'c/n1', value: `n1@${minute}` },
          { key: 'c/n2', value: `n2@${minute}` },
        ]);
      await bus.send('hints', [{ key: 'c/n1', value: 'n1@last' }]);
      const seen: DeliveredRecord[] = [];
      const sub = await bus.subscribe({
        groupId: 'late',
        topics: ['hints'],
        handleBatch: async (b) => void seen.push(...b.records),
      });
      await waitFor('two records', () => seen.length >= 2, 5000);
      await sub.close();
      expect(seen.map((r) => [r.key, r.value, r.offset])).toEqual([
        ['c/n2', 'n2@999', '1999'],
        ['c/n1', 'n1@last', '2000'],
      ]);
    } finally {
      await bus.close();
    }
  });

  it('a consumer that is caught up gets the next value of a key, and nothing twice', async () => {
    const bus = createMemoryBus();
    try {
      await bus.ensureTopics(['hints'], { compacted: true });
      const seen: string[] = [];
      const sub = await bus.subscribe({
        groupId: 'live',
        topics: ['hints'],
        handleBatch: async (b) => void seen.push(...b.records.map((r) => r.value)),
      });
      await bus.send('hints', [{ key: 'c/n1', value: 'v1' }]);
      await waitFor('v1', () => seen.length === 1, 5000);
      await bus.send('hints', [{ key: 'c/n1', value: 'v2' }]);
      await waitFor('v2', () => seen.length === 2, 5000);
      await sub.close();
      expect(seen).toEqual(['v1', 'v2']);
    } finally {
      await bus.close();
    }
  });
});
