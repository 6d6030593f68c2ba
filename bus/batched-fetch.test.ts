import { describe, expect, it } from 'vitest';
import { BROKER_FETCH_MAX_BYTES, batchedFetch } from './batched-fetch.ts';

describe('batchedFetch', () => {
  it('hands a whole fetch over at once: each member takes its share of the partitions together', () => {
    const f = batchedFetch({ members: 2, partitions: 8, waitMs: 1000 });
    expect(f.batchesPerMember).toBe(4);
    expect(f.bus.partitionsConsumedConcurrently).toBe(4);
    expect(f.bus.maxBytes).toBe(BROKER_FETCH_MAX_BYTES);
    // One partition alone may fill its member's share of the fetch.
    expect(f.bus.maxBytesPerPartition * 4).toBeGreaterThanOrEqual(BROKER_FETCH_MAX_BYTES);
    expect(batchedFetch({ members: 3, partitions: 8, waitMs: 1000 }).batchesPerMember).toBe(3);
    expect(batchedFetch({ members: 4, partitions: 1, waitMs: 1000 }).batchesPerMember).toBe(1);
  });

  it('holds a fetch back on the broker up to waitMs for data; 0 returns as soon as anything is there', () => {
    expect(batchedFetch({ members: 1, partitions: 1, waitMs: 1000 }).bus).toMatchObject({ maxWaitTimeMs: 1000 });
    expect(batchedFetch({ members: 1, partitions: 1, waitMs: 1000 }).bus.minBytes).toBeGreaterThan(1 << 20);
    expect(batchedFetch({ members: 1, partitions: 1, waitMs: 0 }).bus).toMatchObject({ minBytes: 1 });
  });

  it('refuses counts below one and negative waits', () => {
    expect(() => batchedFetch({ members: 0, partitions: 8, waitMs: 0 })).toThrow(/members and partitions/);
    expect(() => batchedFetch({ members: 1, partitions: 1.5, waitMs: 0 })).toThrow(/members and partitions/);
    expect(() => batchedFetch({ members: 1, partitions: 1, waitMs: -1 })).toThrow(/waitMs/);
  });
});
