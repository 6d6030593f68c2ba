import { withDeadline } from '../contracts/with-deadline.ts';

/** What /readyz answers: 200 when `ok`, else 503; `checks` gives each dependency's state ('ok' or why not). */
export interface ReadinessReport {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/** One dependency's check: resolves when it is reachable, throws (or rejects) with the reason when not. */
export type ReadinessCheck = () => Promise<void> | void;

/**
 * Runs every check at once, each bounded by `timeoutMs` (below the probe's own timeout, so a hung
 * dependency answers 503 instead of a probe timeout). Ready when all pass.
 */
export async function checkReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withDeadline(name, Promise.resolve().then(check), timeoutMs);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return { ok: results.every(([, state]) => state === 'ok'), checks: Object.fromEntries(results) };
}

/** The check every long-running command has: not ready from the first shutdown signal on. */
export const notStopping =
  (shutdown: { readonly stopping: boolean }): ReadinessCheck =>
  () => {
    if (shutdown.stopping) throw new Error('shutting down');
  };
