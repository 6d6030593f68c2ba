/** The /healthz answer: `ok` false gives HTTP 503; `reasons` says why (empty when ok). */
export interface AgentHealth {
  readonly ok: boolean;
  readonly reasons: readonly string[];
  readonly lastGoodTickAtMs: number | null;
  readonly spool: {
    readonly pendingRecords: number;
    readonly pendingBytes: number;
    readonly maxBytes: number;
    readonly evictedRecords: number;
  };
  readonly kafka: { readonly consecutiveFailures: number; readonly lastError: string | null };
}

export interface HealthInput {
  readonly nowMs: number;
  readonly startedAtMs: number;
  /** A tick older than this (or none since start-up for this long) is stale. */
  readonly maxTickAgeMs: number;
  readonly tick: { readonly lastGoodTickAtMs: number | null; readonly lastTickProblem: string | null };
  readonly spool: AgentHealth['spool'] & { readonly consecutiveFailures: number; readonly lastError: string | null };
}

/** The spool counts as full (unhealthy) at this share of its bound: evicting, or about to. */
export const SPOOL_FULL_RATIO = 0.9;

/**
 * Pure: healthy when the last tick succeeded (a batch with GPU samples, or a GPU source without
 * errors went to the sink), the last good tick is recent, and the spool is below its bound. Kafka being
 * down alone is not unhealthy (that is what the spool is for); it shows in `kafka` and, once the
 * backlog nears the bound, as a spool reason.
 */
export function computeAgentHealth(input: HealthInput): AgentHealth {
  const reasons: string[] = [];
  const { tick, spool } = input;
  const since = tick.lastGoodTickAtMs ?? input.startedAtMs;
  if (tick.lastTickProblem !== null) reasons.push(`last tick: ${tick.lastTickProblem}`);
  if (input.nowMs - since > input.maxTickAgeMs) {
    const when =
      tick.lastGoodTickAtMs === null
        ? 'no good tick since start-up'
        : `last good tick ${Math.round((input.nowMs - since) / 1000)} s ago`;
    reasons.push(`${when} (limit ${Math.round(input.maxTickAgeMs / 1000)} s)`);
  }
  if (spool.pendingBytes >= SPOOL_FULL_RATIO * spool.maxBytes) {
    reasons.push(
      `spool at ${Math.round((100 * spool.pendingBytes) / spool.maxBytes)}% of its ${spool.maxBytes}-byte bound (${spool.evictedRecords} records evicted so far)`,
    );
  }
  return {
    ok: reasons.length === 0,
    reasons,
    lastGoodTickAtMs: tick.lastGoodTickAtMs,
    spool: {
      pendingRecords: spool.pendingRecords,
      pendingBytes: spool.pendingBytes,
      maxBytes: spool.maxBytes,
      evictedRecords: spool.evictedRecords,
    },
    kafka: { consecutiveFailures: spool.consecutiveFailures, lastError: spool.lastError },
  };
}

/**
 * The agent's readiness check on Kafka (for /readyz): throws while the spool's sends fail. Sampling
 * goes on meanwhile (liveness stays ok), the spool keeps the batches for later.
 */
export function checkKafkaDelivery(spool: HealthInput['spool']): void {
  if (spool.consecutiveFailures > 0)
    throw new Error(`Kafka unreachable: ${spool.consecutiveFailures} sends failed in a row (${spool.lastError})`);
}
