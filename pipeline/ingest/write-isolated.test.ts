import { describe, expect, it } from 'vitest';
import { StoreQueryError, StoreUnavailableError } from '../store/errors.ts';
import { writeIsolated } from './write-isolated.ts';

const options = (retries: unknown[]) => ({
  backoff: { initialMs: 1, maxMs: 2 },
  random: () => 0.5,
  signal: new AbortController().signal,
  onRetry: (error: unknown) => void retries.push(error),
});
const parseError = () => new StoreQueryError('Cannot parse input', { query: 'INSERT', clickhouseCode: 27 });

describe('writeIsolated', () => {
  it('retries a store outage until it passes, dead-lettering nothing', async () => {
    let calls = 0;
    const retries: unknown[] = [];
    const outcome = await writeIsolated(
      [1, 2, 3],
      async () => {
        calls += 1;
        if (calls <= 3) throw new StoreUnavailableError('connect ECONNREFUSED', { query: 'INSERT' });
      },
      options(retries),
    );
    expect(outcome).toEqual({ rejected: [], retries: 3 });
    expect(retries).toHaveLength(3);
  });

  it('isolates the one record the store refuses and stores the others', async () => {
    const stored: number[] = [];
    const outcome = await writeIsolated(
      [1, 2, 3, 4, 5, 6, 7],
      async (items) => {
        if (items.includes(5)) throw parseError();
        stored.push(...items);
      },
      options([]),
    );
    expect(outcome.rejected.map((r) => r.item)).toEqual([5]);
    expect(stored.sort()).toEqual([1, 2, 3, 4, 6, 7]);
  });

  it('does not dead-letter when every record fails the same non-data way (a missing table): it pauses', async () => {
    const retries: unknown[] = [];
    let dropped = true;
    const outcome = await writeIsolated(
      [1, 2],
      async () => {
        if (dropped) {
          dropped = retries.length < 2;
          throw new StoreQueryError('Table db.gpu_samples does not exist', { query: 'INSERT', clickhouseCode: 60 });
        }
      },
      options(retries),
    );
    expect(outcome).toEqual({ rejected: [], retries: 2 });
  });

  it('dead-letters a lone record whose error blames its data', async () => {
    const outcome = await writeIsolated([9], async () => Promise.reject(parseError()), options([]));
    expect(outcome.rejected.map((r) => r.item)).toEqual([9]);
  });

  it('stops retrying when aborted', async () => {
    const abort = new AbortController();
    const pending = writeIsolated([1], async () => Promise.reject(new StoreUnavailableError('down', { query: '' })), {
      ...options([]),
      signal: abort.signal,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    abort.abort(new Error('closing'));
    await expect(pending).rejects.toThrow('closing');
  });
});
