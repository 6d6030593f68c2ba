import { describe, expect, it } from 'vitest';
import { computeAgentHealth, type HealthInput } from './agent-health.ts';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);
const base: HealthInput = {
  nowMs: T,
  startedAtMs: T - 60_000,
  maxTickAgeMs: 30_000,
  tick: { lastGoodTickAtMs: T - 10_000, lastTickProblem: null },
  spool: {
    pendingRecords: 3,
    pendingBytes: 6000,
    maxBytes: 1_000_000,
    evictedRecords: 0,
    consecutiveFailures: 0,
    lastError: null,
  },
};

describe('computeAgentHealth', () => {
  it('healthy: recent good tick, spool far from its bound (Kafka down alone is not unhealthy)', () => {
    const h = computeAgentHealth({
      ...base,
      spool: {
        ...base.spool,
        consecutiveFailures: 7,
        lastError: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      },
    });
    expect(h).toMatchObject({ ok: true, reasons: [], kafka: { consecutiveFailures: 7 } });
  });

  it('stale tick: no good tick within the limit, with the last tick problem', () => {
    const h = computeAgentHealth({
      ...base,
      tick: { lastGoodTickAtMs: T - 45_000, lastTickProblem: 'no GPU samples: nvidia-smi exited 9' },
    });
    expect(h.ok).toBe(false);
    expect(h.reasons).toEqual([
      'last tick: no GPU samples: nvidia-smi exited 9',
      'last good tick 45 s ago (limit 30 s)',
    ]);
  });

  it('no tick yet: healthy within the limit after start-up, unhealthy past it', () => {
    const none = { lastGoodTickAtMs: null, lastTickProblem: null };
    expect(computeAgentHealth({ ...base, startedAtMs: T - 5000, tick: none }).ok).toBe(true);
    expect(computeAgentHealth({ ...base, tick: none }).reasons).toEqual(['no good tick since start-up (limit 30 s)']);
  });

  it('spool at 90% of its bound or more', () => {
    const h = computeAgentHealth({ ...base, spool: { ...base.spool, pendingBytes: 950_000, evictedRecords: 12 } });
    expect(h.reasons).toEqual(['spool at 95% of its 1000000-byte bound (12 records evicted so far)']);
  });
});
