import { describe, expect, it } from 'vitest';
import { checkReadiness, notStopping } from './readiness.ts';

describe('checkReadiness', () => {
  it('is ready when every check passes', async () => {
    expect(await checkReadiness({ kafka: async () => undefined, store: () => undefined }, 100)).toEqual({
      ok: true,
      checks: { kafka: 'ok', store: 'ok' },
    });
  });

  it('names what failed, and a hung check counts as failed within the timeout', async () => {
    const started = Date.now();
    const report = await checkReadiness(
      {
        kafka: () => new Promise(() => undefined),
        store: () => Promise.reject(new Error('ECONNREFUSED')),
        shutdown: notStopping({ stopping: true }),
      },
      50,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual({
      kafka: 'kafka: not done within 50 ms',
      store: 'ECONNREFUSED',
      shutdown: 'shutting down',
    });
  });
});
