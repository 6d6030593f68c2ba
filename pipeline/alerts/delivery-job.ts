/**
 * Delivers the outbox (outbox-store.ts) to the receivers: each run sends every due notification,
 * oldest first, in batches of the receiver's size. Accepted → marked delivered. Refused, timed out or
 * unreachable → counted by reason, retried after an exponential backoff with equal jitter (1 s up
 * to 5 min) for as long as it takes: a receiver that is down, slow or refusing loses nothing.
 * Receivers that keep alerts in memory (Alertmanager) also get every firing alert again each
 * `resendIntervalMs`, so a restarted Alertmanager learns them back.
 *
 * Runs on the pipeline's schedule and at once when the rule job raised notifications (`kick`); runs
 * never overlap. Delivery is at least once: two pipeline processes may both send a notification
 * (Alertmanager deduplicates by labels; webhook bodies carry the alert id).
 */
import type { Logger } from 'pino';
import { decodeAlert } from '../../contracts/alert.ts';
import { backoffDelayMs, type BackoffConfig } from '../ingest/backoff.ts';
import type { ScheduledJob } from '../jobs/scheduled-job.ts';
import { AlertState, toAlert } from '../rules/alert-record.ts';
import type { AlertObserver } from '../self-metrics/alert-metrics.ts';
import { createAlertStore } from '../store/alert-store.ts';
import type { SqlExecutor } from '../store/executor.ts';
import { createOutboxStore, type OutboxEntry } from '../store/outbox-store.ts';
import { ReceiverError, type AlertReceiver } from './receiver.ts';

export interface DeliveryJobConfig {
  readonly backoff: BackoffConfig;
  /** Outbox entries created longer ago than this are not read again (bounds the scan). */
  readonly windowMs: number;
  /** Most notifications per receiver per run. */
  readonly batchLimit: number;
}

export const DEFAULT_DELIVERY_CONFIG: DeliveryJobConfig = {
  backoff: { initialMs: 1_000, maxMs: 5 * 60_000 },
  windowMs: 14 * 86_400_000,
  batchLimit: 500,
};

export interface DeliveryDeps {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly now: () => number;
  readonly random: () => number;
  readonly logger: Logger;
  readonly observer: AlertObserver;
}

export interface DeliveryJob extends ScheduledJob {
  /** Runs again as soon as the current run (if any) ends. */
  kick(): void;
  /** Resolves when no run is in progress or queued (for close()). */
  idle(): Promise<void>;
}

export const DELIVERY_JOB = 'alert-delivery';

export function createDeliveryJob(
  deps: DeliveryDeps,
  receivers: readonly AlertReceiver[],
  config: DeliveryJobConfig = DEFAULT_DELIVERY_CONFIG,
): DeliveryJob {
  const outbox = createOutboxStore(deps.executor, { database: deps.database });
  const alerts = createAlertStore(deps.executor, { database: deps.database });
  const lastResend = new Map<string, number>();
  let chain: Promise<unknown> = Promise.resolve();

  const attempt = async (receiver: AlertReceiver, entries: readonly OutboxEntry[]) => {
    const nowMs = deps.now();
    const decoded = entries.map((e) => ({ e, alert: decodeAlert(e.payload) }));
    const good = decoded.flatMap((d) => (d.alert.ok ? [d.alert.value] : []));
    let failure: ReceiverError | null = null;
    try {
      if (good.length > 0) await receiver.deliver(good, nowMs);
      deps.observer.delivered(receiver.name, good.length);
    } catch (error) {
      if (!(error instanceof ReceiverError)) throw error;
      failure = error;
      deps.observer.failed(receiver.name, error.reason, entries.length);
    }
    const at = deps.now();
    await outbox.write(
      decoded.map(({ e, alert }) => {
        const attempts = e.attempts + 1;
        // A payload that no longer decodes can never be delivered: recorded with its reason, not retried.
        if (!alert.ok)
          return { ...e, attempts, version: attempts, deliveredAtMs: at, lastError: `undeliverable: ${alert.error}` };
        if (failure === null) return { ...e, attempts, version: attempts, deliveredAtMs: at, lastError: '' };
        const delay = backoffDelayMs(e.attempts, config.backoff, deps.random);
        return { ...e, attempts, version: attempts, nextAttemptAtMs: at + delay, lastError: failure.message };
      }),
    );
    return failure;
  };

  const resendFiring = async (receiver: AlertReceiver, nowMs: number) => {
    const every = receiver.resendIntervalMs;
    if (every === undefined || nowMs - (lastResend.get(receiver.name) ?? -Infinity) < every) return;
    const firing = (await alerts.list({ states: [AlertState.firing], sinceMs: nowMs - config.windowMs })).map(toAlert);
    try {
      for (let i = 0; i < firing.length; i += receiver.maxBatch)
        await receiver.deliver(firing.slice(i, i + receiver.maxBatch), nowMs);
      lastResend.set(receiver.name, nowMs);
    } catch (error) {
      if (!(error instanceof ReceiverError)) throw error;
      deps.observer.failed(receiver.name, error.reason, firing.length);
    }
  };

  const runOnce = async () => {
    let delivered = 0;
    let failed = 0;
    for (const receiver of receivers) {
      const nowMs = deps.now();
      const due = await outbox.due(receiver.name, nowMs, nowMs - config.windowMs, config.batchLimit);
      for (let i = 0; i < due.length; i += receiver.maxBatch) {
        const batch = due.slice(i, i + receiver.maxBatch);
        const failure = await attempt(receiver, batch);
        if (failure === null) delivered += batch.length;
        else {
          failed += batch.length;
          deps.logger.warn(
            { receiver: receiver.name, alerts: batch.length, err: failure.message },
            'alert delivery failed; retrying with backoff',
          );
          break; // the receiver is not taking anything now: the rest waits for the next run
        }
      }
      await resendFiring(receiver, nowMs);
    }
    const counts = new Map((await outbox.counts(deps.now() - config.windowMs)).map((c) => [c.receiver, c.pending]));
    for (const receiver of receivers) deps.observer.pending(receiver.name, counts.get(receiver.name) ?? 0);
    return { delivered, failed };
  };

  const run = () => {
    const next = chain.then(runOnce, runOnce);
    chain = next.catch(() => undefined);
    return next;
  };
  let kicked = false;
  return {
    name: DELIVERY_JOB,
    run,
    kick() {
      if (kicked) return;
      kicked = true;
      void chain.then(() => {
        kicked = false;
        return run().catch((error: unknown) => deps.logger.error({ err: error }, 'alert delivery run failed'));
      });
    },
    async idle() {
      for (let seen = chain; ; seen = chain) {
        await seen;
        if (seen === chain) return;
      }
    },
  };
}
