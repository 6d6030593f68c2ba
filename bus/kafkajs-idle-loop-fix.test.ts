import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { REQUEST_TIMEOUT_CHECK_MS, stopKafkajsIdleLoop } from './kafkajs-idle-loop-fix.ts';

interface Queue {
  pending: unknown[];
  inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  scheduleRequestTimeoutCheck(): void;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => Queue;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = (
  options: { requestTimeout?: number; enforceRequestTimeout?: boolean; isConnected?: () => boolean } = {},
) =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'b:9092',
    logger: silent,
    isConnected: () => true,
    ...options,
  });

/** Timer callbacks a queue with nothing pending runs in `ms`: the loop re-arms from inside its own callback. */
async function idleChecks(q: Queue, ms: number): Promise<number> {
  let checks = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => void (checks++, check());
  q.checkPendingRequests(); // what kafkajs does after every response
  await new Promise((r) => setTimeout(r, ms));
  q.destroy();
  return checks;
}

describe('stopKafkajsIdleLoop (kafkajs#1556)', () => {
  it('as shipped, an idle request queue runs its check about every millisecond; after the fix once', async () => {
    expect(await idleChecks(queue(), 100)).toBeGreaterThan(20); // the bug this file exists for
    expect(stopKafkajsIdleLoop()).toBe(true);
    expect(await idleChecks(queue(), 100)).toBe(1);
  });

  it('a request waiting behind a throttle still gets its check; idempotent', () => {
    expect(stopKafkajsIdleLoop()).toBe(true);
    expect(stopKafkajsIdleLoop()).toBe(true);
    const q = queue();
    q.pending.push({});
    q.throttledUntil = Date.now() + 50;
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    q.destroy();
  });

  it('checks for timed-out requests every second instead of every 100 ms, and still times them out', async () => {
    expect(stopKafkajsIdleLoop()).toBe(true);
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const q = queue({ requestTimeout: 30_000, enforceRequestTimeout: true });
    q.scheduleRequestTimeoutCheck();
    expect(intervals.mock.calls.map((c) => c[1])).toEqual([REQUEST_TIMEOUT_CHECK_MS]);
    intervals.mockRestore();
    q.destroy();

    const short = queue({ requestTimeout: 20, enforceRequestTimeout: true });
    const timedOut: number[] = [];
    short.inflight.set(1, { sentAt: Date.now(), requestTimeout: 20, timeoutRequest: () => void timedOut.push(1) });
    short.inflight.set(2, {
      sentAt: Date.now() + 60_000,
      requestTimeout: 20,
      timeoutRequest: () => void timedOut.push(2),
    });
    short.scheduleRequestTimeoutCheck(); // period min(requestTimeout, 1 s) = 20 ms
    await new Promise((r) => setTimeout(r, 80));
    short.destroy();
    expect(timedOut).toContain(1);
    expect(timedOut).not.toContain(2);

    const off = queue({ enforceRequestTimeout: false });
    off.scheduleRequestTimeoutCheck();
    expect(off.requestTimeoutIntervalId).toBeUndefined();
  });
});
