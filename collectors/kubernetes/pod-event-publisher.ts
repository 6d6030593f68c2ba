import type { Logger } from 'pino';
import { Topics, type PodEvent, type RecordSink } from '../../contracts/index.ts';
import type { PodWatcher } from './pod-watcher.ts';

export interface PodEventPublisherOptions {
  readonly logger: Logger;
  /** Backoff between attempts when the sink rejects, doubling from min to max. Defaults 200 ms .. 10 s. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

export interface PodEventPublisher {
  /** Events handed to the sink and accepted by it. */
  readonly sent: number;
  /** Waits until every event received so far has been accepted by the sink. */
  flush(): Promise<void>;
  /** Stops listening; waits for the events already received (retrying stops, the rest is logged as unsent). */
  close(): Promise<void>;
}

/**
 * Sends the watcher's PodEvents to `Topics.podEvents`, keyed by podUid so that one pod's events stay
 * in order on one partition. Sends run one after another in the order the watcher produced them; a
 * rejected send is retried with backoff until it succeeds or the publisher is closed (the watcher
 * emits each transition only once, so dropping it would lose it until the agent restarts).
 */
export function createPodEventPublisher(
  watcher: Pick<PodWatcher, 'subscribe'>,
  sink: RecordSink,
  options: PodEventPublisherOptions,
): PodEventPublisher {
  const [minMs, maxMs] = [options.retryMinMs ?? 200, options.retryMaxMs ?? 10_000];
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const stop = new AbortController();
  const pause = (ms: number) =>
    new Promise<void>((r) => {
      const wake = () => (clearTimeout(t), stop.signal.removeEventListener('abort', wake), r());
      const t = setTimeout(wake, ms);
      stop.signal.addEventListener('abort', wake, { once: true });
    });
  let sent = 0;

  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const sendWithRetry = async (events: readonly PodEvent[]) => {
    const records = events.map((e) => ({ key: e.podUid, value: JSON.stringify(e) }));
    for (let delayMs = minMs; ; delayMs = Math.min(delayMs * 2, maxMs)) {
      try {
        await sink.send(Topics.podEvents, records);
        sent += records.length;
        return;
      } catch (error) {
        if (closed) {
          options.logger.error(
            { error: message(error), unsent: records.length },
            'pod events not sent: publisher closed',
          );
          return;
        }
        options.logger.warn({ error: message(error), retryInMs: delayMs }, 'pod events send failed; retrying');
        await pause(delayMs);
      }
    }
  };

  const unsubscribe = watcher.subscribe((events) => {
    chain = chain.then(() => sendWithRetry(events));
  });

  return {
    get sent() {
      return sent;
    },
    flush: () => chain,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      stop.abort();
      await chain;
    },
  };
}
