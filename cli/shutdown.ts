import { constants } from 'node:os';
import type { Logger } from 'pino';
import { DeadlineError, withDeadline } from '../contracts/with-deadline.ts';

/** One thing a long-running command closes on shutdown; `name` is what the deadline's log line names. */
export interface ShutdownStep {
  readonly name: string;
  close(): Promise<void>;
  /**
   * For a close that does not bound itself (a client's, a server's): abandoned after this long, with a
   * warning, and the next step goes on. Without it the step has what is left of the deadline.
   */
  readonly timeoutMs?: number;
}

export interface ShutdownDeps {
  readonly logger: Logger;
  /** From the first signal to the exit, at most this long (GPU_LEDGER_SHUTDOWN_TIMEOUT_MS). */
  readonly deadlineMs: number;
  /** Where SIGTERM and SIGINT come from (the process; tests pass an emitter). */
  readonly signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Ends the process (process.exit; tests record the code). */
  readonly exit?: (code: number) => void;
  readonly now?: () => number;
}

export interface Shutdown {
  /** True from the first signal on: /readyz answers 503 from then (no new work is routed here). */
  readonly stopping: boolean;
  /**
   * Waits for the first SIGTERM or SIGINT (at once if one already came), then closes `steps` in order
   * and exits: 0 when every step closed, 1 when one failed or the deadline passed first (the log line
   * names the steps still pending). A second signal exits at once (128 + its number).
   */
  closeOnSignal(steps: readonly ShutdownStep[]): Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The shutdown contract of every long-running command (agent, pipeline, API, extender): install it
 * before start-up, so that a signal during start-up is not lost either; the deadline counts from the
 * first signal whatever the process is doing then. Each step should bound its own waits (see
 * contracts/with-deadline.ts) within the deadline; the deadline here is the last resort, for a step
 * that does not.
 */
export function installShutdown(deps: ShutdownDeps): Shutdown {
  const signals = deps.signals ?? process;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const now = deps.now ?? Date.now;
  const { logger, deadlineMs } = deps;
  let signalledAtMs: number | null = null;
  let exited = false;
  let pending: string[] = ['start-up'];
  let resolveSignalled: () => void = () => undefined;
  const signalled = new Promise<void>((resolve) => (resolveSignalled = resolve));
  let deadline: NodeJS.Timeout | undefined;

  const finish = (code: number): void => {
    if (exited) return;
    exited = true;
    clearTimeout(deadline);
    for (const s of SIGNALS) signals.off(s, onSignal);
    exit(code);
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (signalledAtMs !== null) {
      logger.warn({ signal, pending }, 'second signal: exiting at once');
      finish(128 + constants.signals[signal]);
      return;
    }
    signalledAtMs = now();
    logger.info({ signal, deadlineMs }, 'stopping');
    deadline = setTimeout(() => {
      logger.error(
        { deadlineMs, pending },
        `shutdown deadline of ${deadlineMs} ms passed with ${pending.join(', ')} still pending; exiting`,
      );
      finish(1);
    }, deadlineMs);
    resolveSignalled();
  }
  for (const s of SIGNALS) signals.on(s, onSignal);

  return {
    get stopping() {
      return signalledAtMs !== null;
    },
    async closeOnSignal(steps) {
      pending = ['waiting for a signal'];
      await signalled;
      pending = steps.map((s) => s.name);
      let failed = false;
      for (const [i, step] of steps.entries()) {
        if (exited) return;
        try {
          await (step.timeoutMs === undefined ? step.close() : withDeadline(step.name, step.close(), step.timeoutMs));
        } catch (error) {
          if (error instanceof DeadlineError) {
            logger.warn({ step: step.name }, `${error.message}; abandoned`);
          } else {
            failed = true;
            logger.error({ err: error, step: step.name }, 'shutdown step failed; going on with the next');
          }
        }
        pending = steps.slice(i + 1).map((s) => s.name);
      }
      if (exited) return;
      logger.info({ durationMs: now() - (signalledAtMs ?? now()), ok: !failed }, 'stopped');
      finish(failed ? 1 : 0);
    },
  };
}

/**
 * How a command shares its deadline between its closes, each bounding its own waits by its share
 * (their worst cases stay within the deadline; usually they take a fraction of it).
 */
export function shutdownShares(deadlineMs: number): {
  /** Store writes or spool deliveries in flight: kept trying this long, then abandoned uncommitted. */
  readonly drainMs: number;
  /** One Kafka close (a consumer stopping after the drain, committing and leaving; the producer). */
  readonly kafkaMs: number;
  /** A client or server that closes at once unless something is wrong. */
  readonly quickMs: number;
} {
  return {
    drainMs: Math.round(0.3 * deadlineMs),
    kafkaMs: Math.round(0.4 * deadlineMs),
    quickMs: Math.round(0.1 * deadlineMs),
  };
}
