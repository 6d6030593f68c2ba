import { describe, expect, it } from 'vitest';
import { backoffDelayMs, sleep } from './backoff.ts';

describe('backoff', () => {
  const config = { initialMs: 200, maxMs: 10_000 };

  it('doubles per attempt up to the cap, with half of each step random', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, config, () => 0))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, config, () => 1))).toEqual([200, 400, 800, 1600]);
    expect(backoffDelayMs(50, config, () => 0.5)).toBe(7_500);
    expect(backoffDelayMs(10_000, config, () => 1)).toBe(10_000);
  });

  it('sleep resolves after the delay and rejects at once when aborted', async () => {
    const started = Date.now();
    await sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const abort = new AbortController();
    const pending = sleep(60_000, abort.signal);
    abort.abort(new Error('closing'));
    await expect(pending).rejects.toThrow('closing');
    await expect(sleep(1, abort.signal)).rejects.toThrow('closing');
  });
});
