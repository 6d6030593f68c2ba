import { describe, expect, it } from 'vitest';
import { createRecordBatcher, type BatchItem } from './record-batcher.ts';

const item = (key: string, rows = 1): BatchItem<string> => ({ key, rows, value: key });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('record batcher', () => {
  it('accumulates across callers until the row limit, then flushes once', async () => {
    const flushed: string[][] = [];
    const b = createRecordBatcher<string>(async (v) => void flushed.push(v), {
      maxBatchRows: 5,
      maxBatchDelayMs: 60_000,
      maxConcurrentFlushes: 1,
    });
    b.setProducers(3);
    const first = b.add([item('a', 2)]);
    const second = b.add([item('b', 2)]);
    await tick();
    expect(flushed).toEqual([]);
    expect(b.bufferedRows).toBe(4);
    await Promise.all([first, second, b.add([item('c', 1)])]);
    expect(flushed).toEqual([['a', 'b', 'c']]);
  });

  it('flushes after the delay when a producer is idle, and at once when every producer waits', async () => {
    const flushed: string[][] = [];
    const b = createRecordBatcher<string>(async (v) => void flushed.push(v), {
      maxBatchRows: 1000,
      maxBatchDelayMs: 40,
      maxConcurrentFlushes: 1,
    });
    b.setProducers(2);
    const started = Date.now();
    await b.add([item('a')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    await Promise.all([b.add([item('b')]), b.add([item('c')])]);
    expect(flushed).toEqual([['a'], ['b', 'c']]);
  });

  it('joins a redelivered item to its queued copy instead of storing it twice', async () => {
    const flushed: string[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const b = createRecordBatcher<string>(
      async (v) => {
        flushed.push(v);
        await gate;
      },
      { maxBatchRows: 1, maxBatchDelayMs: 10, maxConcurrentFlushes: 1 },
    );
    const original = b.add([item('t/0/7')]);
    await tick();
    const redelivery = b.add([item('t/0/7'), item('t/0/8')]);
    release();
    await Promise.all([original, redelivery]);
    expect(flushed).toEqual([['t/0/7'], ['t/0/8']]);
  });

  it('rejects the callers of a failed flush, without unhandled rejections for callers gone', async () => {
    const b = createRecordBatcher<string>(async () => Promise.reject(new Error('store down')), {
      maxBatchRows: 1,
      maxBatchDelayMs: 10,
      maxConcurrentFlushes: 2,
    });
    await expect(b.add([item('x')])).rejects.toThrow('store down');
    await b.idle();
    expect(b.inFlight).toBe(0);
  });

  it('keeps at most maxConcurrentFlushes running; drain flushes the rest at once', async () => {
    let running = 0;
    let peak = 0;
    const b = createRecordBatcher<string>(
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await tick();
        running -= 1;
      },
      { maxBatchRows: 1, maxBatchDelayMs: 60_000, maxConcurrentFlushes: 2 },
    );
    b.setProducers(10);
    const all = ['a', 'b', 'c', 'd', 'e'].map((k) => b.add([item(k)]));
    b.drain();
    await Promise.all(all);
    await b.idle();
    expect(peak).toBe(2);
  });
});
