import type { Logger } from 'pino';
import type {
  DeliveredBatch,
  DeliveredRecord,
  OutgoingRecord,
  RecordBus,
  Subscription,
} from '../../contracts/index.ts';
import { INGEST_TOPICS, Topics } from '../../contracts/index.ts';
import { DeadlineError, withDeadline } from '../../contracts/with-deadline.ts';
import { DEFAULT_BACKOFF, type BackoffConfig } from './backoff.ts';
import { reasonCategory, STORE_REJECTED_PREFIX, toDeadLetter, toDeadLetterRecord } from './dead-letters.ts';
import {
  decodeRecord,
  DEFAULT_VALIDATION,
  isRejected,
  type DecodedRecord,
  type Rejected,
  type ValidationLimits,
} from './decode-records.ts';
import { NOOP_INGEST_OBSERVER, type IngestObserver } from './ingest-observer.ts';
import { createRecordBatcher, type BatcherConfig } from './record-batcher.ts';
import type { IngestWriters } from './store-writers.ts';
import { writeIsolated } from './write-isolated.ts';

export type { Positioned } from './decode-records.ts';
export type { IngestWriters } from './store-writers.ts';

/** Counters the pipeline exposes (also as metrics, see pipeline/self-metrics). */
export interface IngestStats {
  /** Records whose rows the store accepted (a redelivered record counts again). */
  accepted: number;
  deadLetters: number;
  readonly deadLettersByReason: Map<string, number>;
  /** Rows inserted, all tables of all topics. */
  storedRows: number;
  /** Writes retried after a backoff (store down or slow). */
  storeRetries: number;
}

export interface IngestConfig extends BatcherConfig {
  /** Consumer group members this process runs; they share the topics' partitions (and the batches). */
  readonly members: number;
  /**
   * Bus batches one member hands over at once: the Kafka bus's `partitionsConsumedConcurrently`.
   * The batcher inserts at once, without waiting for size or time, when members × this many are waiting.
   */
  readonly batchesPerMember: number;
  /** A bus handler waits this long for its records to be stored, then fails so the bus redelivers later; keeps group membership alive while the store is down. */
  readonly maxHandlerWaitMs: number;
  /**
   * On close, how long to keep trying to store what was delivered before giving up (it is redelivered
   * on the next start); a write still in flight then is abandoned, uncommitted.
   */
  readonly closeTimeoutMs: number;
  /** Partitions of ingest topics this process creates (existing topics are left as they are). */
  readonly partitions: number;
  readonly backoff: BackoffConfig;
  readonly validation: ValidationLimits;
}

export const DEFAULT_INGEST_CONFIG: IngestConfig = {
  members: 1,
  batchesPerMember: 1,
  maxBatchRows: 20_000,
  maxBatchDelayMs: 250,
  maxConcurrentFlushes: 2,
  maxHandlerWaitMs: 5_000,
  closeTimeoutMs: 10_000,
  partitions: 1,
  backoff: DEFAULT_BACKOFF,
  validation: DEFAULT_VALIDATION,
};

export interface IngestDeps {
  readonly bus: RecordBus;
  readonly writers: IngestWriters;
  readonly logger: Logger;
  readonly now: () => number;
  readonly observer?: IngestObserver;
  readonly random?: () => number;
  readonly config?: Partial<IngestConfig>;
}

export interface IngestConsumer {
  readonly stats: IngestStats;
  /** Handles one delivered batch: resolves once its records are stored or dead-lettered; rejects (the bus redelivers) on transient trouble. */
  handleBatch(batch: DeliveredBatch): Promise<void>;
  start(options: { readonly groupId: string; readonly topics?: readonly string[] }): Promise<void>;
  /** Whether the members are subscribed (for /healthz). */
  readonly running: boolean;
  /** Stops intake, stores what was delivered (within closeTimeoutMs), lets the bus commit, leaves the group. */
  close(): Promise<void>;
}

/** A handler gave up waiting for the store; its batch is redelivered. Retriable. */
export class IngestBackpressureError extends Error {
  override readonly name = 'IngestBackpressureError';
  readonly retriable = true;
}

const positionOf = (r: DeliveredRecord): string => `${r.topic}/${r.partition}/${r.offset}`;

/** Dead letters go out in sends of at most this many bytes: a broker refuses a request over its message.max.bytes (1 MB by default). */
const DEAD_LETTER_SEND_BYTES = 512 * 1024;

/** Sends records in sequential chunks bounded by bytes (a single larger record goes alone). */
async function sendChunked(bus: RecordBus, topic: string, records: readonly OutgoingRecord[]): Promise<void> {
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.value.length + (r.key?.length ?? 0);
    if (chunk.length > 0 && bytes + size > DEAD_LETTER_SEND_BYTES) {
      await bus.send(topic, chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  await bus.send(topic, chunk);
}

/** Calls the writer of the records' topic. */
function writeTopic(writers: IngestWriters, records: readonly DecodedRecord[]): Promise<void> {
  const [first] = records;
  if (!first) return Promise.resolve();
  switch (first.topic) {
    case Topics.gpuSamples:
      return writers.gpuSamples(records.flatMap((d) => (d.topic === Topics.gpuSamples ? [d.item] : [])));
    case Topics.podEvents:
      return writers.podEvents(records.flatMap((d) => (d.topic === Topics.podEvents ? [d.item] : [])));
    case Topics.modelServerSamples:
      return writers.modelServerSamples(
        records.flatMap((d) => (d.topic === Topics.modelServerSamples ? [d.item] : [])),
      );
  }
}

/**
 * Consumes the ingest topics into the store as a consumer group. Records are decoded (a bad one
 * becomes a dead letter with reason and source position; the rest of its batch still lands), then
 * accumulated across bus batches and members up to maxBatchRows or maxBatchDelayMs, inserted, and
 * only then does each bus handler resolve, so the bus commits only what the store accepted. A store
 * that is down or slow pauses intake (backoff with jitter, nothing committed, nothing dead-lettered);
 * a record the store refuses is dead-lettered once it is isolated (write-isolated.ts).
 */
export function createIngestConsumer(deps: IngestDeps): IngestConsumer {
  const config: IngestConfig = { ...DEFAULT_INGEST_CONFIG, ...deps.config };
  const observer = deps.observer ?? NOOP_INGEST_OBSERVER;
  const random = deps.random ?? Math.random;
  const stats: IngestStats = {
    accepted: 0,
    deadLetters: 0,
    deadLettersByReason: new Map(),
    storedRows: 0,
    storeRetries: 0,
  };
  const stopRetrying = new AbortController();
  let subscriptions: Subscription[] = [];
  let lastRetryLogMs = 0;

  const sendDeadLetters = async (rejected: readonly Rejected[]): Promise<void> => {
    if (rejected.length === 0) return;
    const failedAtMs = deps.now();
    await sendChunked(
      deps.bus,
      Topics.deadLetters,
      rejected.map((r) => toDeadLetterRecord(toDeadLetter(r.from, r.reason, failedAtMs))),
    );
    stats.deadLetters += rejected.length;
    const byCategory = new Map<string, number>();
    for (const r of rejected) {
      const category = reasonCategory(r.reason);
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
    }
    for (const [category, n] of byCategory) {
      stats.deadLettersByReason.set(category, (stats.deadLettersByReason.get(category) ?? 0) + n);
      observer.deadLettered(category, n);
    }
    const first = rejected[0];
    deps.logger.warn(
      { topic: first?.from.topic, deadLetters: rejected.length, firstReason: first?.reason },
      'records sent to the dead-letter topic',
    );
  };

  const onRetry = (topic: string) => (error: unknown, attempt: number) => {
    stats.storeRetries += 1;
    observer.storeRetry(topic, error);
    const now = deps.now();
    // One line per 10 s at most: a store outage must not flood the log.
    if (attempt === 0 || now - lastRetryLogMs >= 10_000) {
      lastRetryLogMs = now;
      deps.logger.warn({ err: error, topic, attempt }, 'store write failed; pausing intake and retrying with backoff');
    }
  };

  const flushTopic = async (records: readonly DecodedRecord[]): Promise<void> => {
    const topic = records[0]?.topic ?? '';
    const timedWrite = async (part: readonly DecodedRecord[]): Promise<void> => {
      const started = deps.now();
      await writeTopic(deps.writers, part);
      const rows = part.reduce((n, d) => n + d.rows, 0);
      stats.storedRows += rows;
      observer.inserted({ topic, records: part.length, rows, durationMs: deps.now() - started });
    };
    const outcome = await writeIsolated(records, timedWrite, {
      backoff: config.backoff,
      random,
      signal: stopRetrying.signal,
      onRetry: onRetry(topic),
    });
    const refused = new Set(outcome.rejected.map((r) => r.item));
    await sendDeadLetters(
      outcome.rejected.map(({ item, error }) => ({
        from: item.item.from,
        reason: `${STORE_REJECTED_PREFIX}${error instanceof Error ? error.message : String(error)}`,
      })),
    );
    const stored = records.filter((d) => !refused.has(d)).map((d) => d.item.from);
    stats.accepted += stored.length;
    observer.stored(stored, deps.now());
  };

  const batcher = createRecordBatcher<DecodedRecord>(async (values) => {
    const byTopic = new Map<string, DecodedRecord[]>();
    for (const v of values) {
      const list = byTopic.get(v.topic);
      if (list) list.push(v);
      else byTopic.set(v.topic, [v]);
    }
    await Promise.all([...byTopic.values()].map(flushTopic));
  }, config);

  const waitStored = async (done: Promise<void>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new IngestBackpressureError(
              `records not stored within ${config.maxHandlerWaitMs} ms (store slow or down); the batch will be redelivered`,
            ),
          ),
        config.maxHandlerWaitMs,
      );
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const handleBatch = async (batch: DeliveredBatch): Promise<void> => {
    const nowMs = deps.now();
    const decoded: DecodedRecord[] = [];
    const rejected: Rejected[] = [];
    for (const record of batch.records) {
      const d = decodeRecord(record, nowMs, config.validation);
      if (isRejected(d)) rejected.push(d);
      else decoded.push(d);
    }
    await sendDeadLetters(rejected);
    if (decoded.length > 0)
      await waitStored(batcher.add(decoded.map((d) => ({ key: positionOf(d.item.from), rows: d.rows, value: d }))));
  };

  return {
    stats,
    handleBatch,
    get running() {
      return subscriptions.length > 0;
    },
    async start({ groupId, topics = INGEST_TOPICS }) {
      await deps.bus.ensureTopics([...topics, Topics.deadLetters], { partitions: config.partitions });
      const onError = (error: unknown, batch: DeliveredBatch) => {
        const level = error instanceof IngestBackpressureError ? 'warn' : 'error';
        deps.logger[level](
          { err: error, topic: batch.topic, partition: batch.partition },
          'ingest batch not stored; the bus will redeliver it',
        );
      };
      batcher.setProducers(config.members * config.batchesPerMember);
      subscriptions = await Promise.all(
        Array.from({ length: config.members }, () => deps.bus.subscribe({ groupId, topics, handleBatch, onError })),
      );
    },
    async close() {
      batcher.drain();
      const endsAtMs = Date.now() + config.closeTimeoutMs;
      const giveUp = setTimeout(
        () => stopRetrying.abort(new Error('ingest closing: records not stored are redelivered on the next start')),
        config.closeTimeoutMs,
      );
      try {
        const closing = subscriptions;
        subscriptions = [];
        await Promise.all(closing.map((s) => s.close()));
        await withDeadline('store writes in flight', batcher.idle(), Math.max(0, endsAtMs - Date.now())).catch(
          (error: unknown) => {
            if (!(error instanceof DeadlineError)) throw error;
            deps.logger.warn(`${error.message}; abandoned uncommitted: they are redelivered on the next start`);
          },
        );
      } finally {
        clearTimeout(giveUp);
      }
    },
  };
}
