import type { Logger } from 'pino';
import type { DeliveredBatch, DeliveredRecord, RecordBus, Subscription } from '../../contracts/index.ts';
import { DECODERS_BY_TOPIC, isDecodableTopic, Topics, type RecordByTopic } from '../../contracts/index.ts';
import { reasonCategory, toDeadLetter, toDeadLetterRecord } from './dead-letters.ts';

/** A decoded record with the bus position it came from. */
export interface Positioned<T> {
  readonly record: T;
  readonly from: DeliveredRecord;
}

/** Where decoded records go: one writer per topic. Each must be idempotent under redelivery. */
export interface IngestWriters {
  readonly gpuSamples: (items: readonly Positioned<RecordByTopic[typeof Topics.gpuSamples]>[]) => Promise<void>;
}

/** Counters the pipeline exposes: records accepted, and dead letters by reason category. */
export interface IngestStats {
  accepted: number;
  deadLetters: number;
  readonly deadLettersByReason: Map<string, number>;
}

export interface IngestDeps {
  readonly bus: RecordBus;
  readonly writers: IngestWriters;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface IngestConsumer {
  readonly stats: IngestStats;
  /** Handles one delivered batch; exported for tests. Rejects (so the batch is retried) only on transient errors. */
  handleBatch(batch: DeliveredBatch): Promise<void>;
  start(options: { readonly groupId: string; readonly topics?: readonly string[] }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Consumes the ingest topics into the store. Every record is decoded; a bad one becomes a dead
 * letter (with reason and source position) and the rest of its batch still lands. The bus commits the
 * batch only after the writers and the dead-letter send resolved, so nothing is lost on a crash.
 */
export function createIngestConsumer(deps: IngestDeps): IngestConsumer {
  const stats: IngestStats = { accepted: 0, deadLetters: 0, deadLettersByReason: new Map() };
  let subscription: Subscription | null = null;

  const handleBatch = async (batch: DeliveredBatch): Promise<void> => {
    const good: Positioned<RecordByTopic[typeof Topics.gpuSamples]>[] = [];
    const dead = [];
    for (const record of batch.records) {
      const topic = record.topic;
      const result = isDecodableTopic(topic) ? DECODERS_BY_TOPIC[topic](record.value) : { ok: false as const, error: `no decoder for topic ${topic}` };
      if (!result.ok) dead.push(toDeadLetter(record, result.error, deps.now()));
      else if (topic === Topics.gpuSamples) good.push({ record: result.value as RecordByTopic[typeof Topics.gpuSamples], from: record });
      else dead.push(toDeadLetter(record, `no ingest writer for topic ${topic} yet`, deps.now()));
    }
    if (good.length > 0) await deps.writers.gpuSamples(good);
    if (dead.length > 0) await deps.bus.send(Topics.deadLetters, dead.map(toDeadLetterRecord));
    stats.accepted += good.length;
    stats.deadLetters += dead.length;
    for (const letter of dead) {
      const category = reasonCategory(letter.reason);
      stats.deadLettersByReason.set(category, (stats.deadLettersByReason.get(category) ?? 0) + 1);
    }
    if (dead.length > 0) deps.logger.warn({ topic: batch.topic, partition: batch.partition, deadLetters: dead.length, firstReason: dead[0]?.reason }, 'records sent to the dead-letter topic');
  };

  return {
    stats,
    handleBatch,
    async start({ groupId, topics = [Topics.gpuSamples] }) {
      await deps.bus.ensureTopics([...topics, Topics.deadLetters]);
      subscription = await deps.bus.subscribe({
        groupId,
        topics,
        handleBatch,
        onError: (error, batch) => deps.logger.error({ err: error, topic: batch.topic, partition: batch.partition }, 'ingest batch failed; it will be retried'),
      });
    },
    async close() {
      await subscription?.close();
      subscription = null;
    },
  };
}

