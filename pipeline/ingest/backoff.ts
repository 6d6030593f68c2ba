/** Exponential backoff with "equal jitter": half the step is fixed, half random, so retries spread out. */
export interface BackoffConfig {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 200, maxMs: 10_000 };

/** Delay before retry number `attempt` (0-based): min(max, initial × 2^attempt) × (½ + ½·random). */
export function backoffDelayMs(attempt: number, config: BackoffConfig, random: () => number): number {
  const step = Math.min(config.maxMs, config.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
