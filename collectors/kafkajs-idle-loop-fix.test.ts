import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { stopKafkajsIdleLoop } from './kafkajs-idle-loop-fix.ts';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (options: object) => Queue;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, enforceRequestTimeout: false, clientId: 'test', broker: 'b:9092', logger: silent, isConnected: () => true });

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
});
