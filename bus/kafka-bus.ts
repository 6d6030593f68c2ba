import {
  Kafka,
  logLevel as KafkaLogLevel,
  type Consumer,
  type LogEntry,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { DeliveredRecord, OutgoingRecord, RecordBus, SubscribeOptions, Subscription } from '../contracts/bus.ts';
import { DeadlineError, withDeadline } from '../contracts/with-deadline.ts';
import { stopKafkajsIdleLoop } from './kafkajs-idle-loop-fix.ts';

export interface KafkaBusConfig {
  /** `host:port` list; use 127.0.0.1 literally for a local broker (Node resolves localhost to ::1 first). */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Upper bound for one fetch, per partition. */
  readonly maxBytesPerPartition?: number;
  /** Upper bound for one fetch, all partitions of a subscription together. Default 10 MiB (kafkajs'). */
  readonly maxBytes?: number;
  /**
   * How many partitions' batches of one fetch a subscription hands to its handler at once (kafkajs
   * `partitionsConsumedConcurrently`; each partition still gets one batch at a time, in order).
   * Default 1. A consumer that batches across handler calls (the ingest pipeline) gathers a whole
   * fetch into one store write this way.
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * A fetch waits on the broker until `minBytes` are there or `maxWaitTimeMs` has passed (kafkajs
   * `minBytes` and `maxWaitTimeInMs`; defaults 1 byte and 5 s: it returns as soon as anything is there).
   */
  readonly minBytes?: number;
  readonly maxWaitTimeMs?: number;
  /** Connection and request timeouts; small values make a dead broker visible quickly. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** How long `send` keeps retrying before it rejects (the caller decides what to do then: spool). */
  readonly sendRetries?: number;
  /**
   * Prepended to every topic name on the wire (e.g. `staging.`), so several environments or test
   * runs share one cluster without seeing each other's records. Delivered records carry the
   * unprefixed name.
   */
  readonly topicPrefix?: string;
  /** TLS to the brokers (system CAs) and SASL credentials; default plaintext without SASL (the dev stack). */
  readonly ssl?: boolean;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
  /** Replication factor of topics `ensureTopics` creates; default -1: the broker's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /**
   * Batching producer: sends that arrive within `lingerMs` of each other go to Kafka as one
   * produce request (all topics together), up to `maxBatchRecords` records and `maxBatchBytes` of
   * keys and values (one send is never split). Default 5 ms / 10,000 / 512 KiB: a request's batch for
   * one partition stays under the broker's default 1 MiB `message.max.bytes`.
   */
  readonly lingerMs?: number;
  readonly maxBatchRecords?: number;
  readonly maxBatchBytes?: number;
  /**
   * Every close is bounded by this (default 5 s): a subscription's (the consumer stops fetching, waits
   * for its handler, commits, leaves the group) and the bus's (queued sends, the producer). What does
   * not finish in time is abandoned with a warning: a consumer stuck re-joining a rebalancing group or
   * talking to a dead broker is dropped by the broker after its session timeout, and what it had not
   * committed is delivered again to the group.
   */
  readonly closeTimeoutMs?: number;
  /**
   * A consumer that sends no heartbeat for this long is dropped from its group (default 10 s). Until
   * then a rebalance waits for it: every other member's re-join with it.
   */
  readonly sessionTimeoutMs?: number;
}

/**
 * Settings of a topic created with `compacted`: the cleaner keeps the latest record per key; a
 * segment rolls every hour so that superseded records become cleanable within the hour (the default,
 * 7 days, would keep a week of per-minute snapshots).
 */
export const COMPACTED_TOPIC_CONFIG: readonly { readonly name: string; readonly value: string }[] = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'segment.ms', value: '3600000' },
];

interface PendingSend {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** How long a crashed consumer that kafkajs gave up on waits before a new one joins the group. */
const CONSUMER_RESTART_MS = 2000;

/** Routes kafkajs's own log lines into our pino logger (info and up; debug stays off). */
function logCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      logger[LEVEL_NAMES[level] ?? 'info']({ kafka: rest }, message);
    };
}

/**
 * A delivered Kafka record. `value` is decoded from the bytes on first use; `valueBytes` gives the
 * bytes themselves (a view of the fetch response), so a consumer that decodes bytes (the ingest
 * pipeline's GPU batch scanner) never makes the string.
 */
class KafkaRecord implements DeliveredRecord {
  #value: string | null = null;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly key: string | null,
    readonly valueBytes: Buffer | null,
    readonly timestampMs: number,
  ) {}

  get value(): string {
    this.#value ??= this.valueBytes === null ? '' : this.valueBytes.toString('utf8');
    return this.#value;
  }
}

/**
 * Record bus on Apache Kafka (kafkajs). Producer: acks from all in-sync replicas, idempotent.
 * Consumer: one kafkajs consumer per subscription, offsets committed explicitly after the handler
 * resolves; a handler error is retried by kafkajs with backoff (and the consumer restarted), so a
 * batch that was not committed is delivered again.
 */
export function createKafkaBus(config: KafkaBusConfig): RecordBus {
  if (!stopKafkajsIdleLoop())
    config.logger.warn(
      'kafkajs internals changed: its idle timer loops are not stopped (bus/kafkajs-idle-loop-fix.ts)',
    );
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 10_000,
    logLevel: KafkaLogLevel.WARN,
    logCreator: logCreator(config.logger),
    retry: { retries: config.sendRetries ?? 5, initialRetryTime: 200, maxRetryTime: 5000 },
    ...(config.ssl ? { ssl: true } : {}),
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
  });
  let producer: Producer | null = null;
  let producerConnecting: Promise<Producer> | null = null;
  const subscriptions = new Set<Subscription>();
  const lingerMs = config.lingerMs ?? 5;
  const maxBatchRecords = config.maxBatchRecords ?? 10_000;
  const maxBatchBytes = config.maxBatchBytes ?? 512 * 1024;
  let pending: PendingSend[] = [];
  let [pendingRecords, pendingBytes] = [0, 0];
  let lingerTimer: NodeJS.Timeout | null = null;
  const prefix = config.topicPrefix ?? '';
  const wire = (topic: string) => prefix + topic;
  const unwire = (topic: string) => (topic.startsWith(prefix) ? topic.slice(prefix.length) : topic);
  const closeTimeoutMs = config.closeTimeoutMs ?? 5000;
  /** Waits for `work` at most `ms`; past that it is abandoned (warned), never awaited further. */
  const abandonLate = async (what: string, work: Promise<void>, ms: number): Promise<void> => {
    try {
      await withDeadline(what, work, ms);
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      config.logger.warn({ closeTimeoutMs }, `${error.message}; abandoned`);
    }
  };

  const getProducer = async (): Promise<Producer> => {
    if (producer) return producer;
    producerConnecting ??= (async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      try {
        await p.connect();
      } catch (error) {
        producerConnecting = null;
        throw error;
      }
      producer = p;
      p.on(p.events.DISCONNECT, () => {
        if (producer === p) producer = null;
        producerConnecting = null;
      });
      return p;
    })();
    return producerConnecting;
  };

  /**
   * Sends what is queued, one produce request at a time (kafkajs' idempotent producer numbers each
   * partition's batches when it builds the request: two requests in flight at once, or one retried
   * after a later one, end in OUT_OF_ORDER_SEQUENCE_NUMBER). What queues while a request is in flight
   * goes in the next one. After a failed request the producer is dropped, so the next send starts a
   * new idempotent session (new producer id) instead of repeating a sequence the broker refuses.
   */
  let sending: Promise<void> | null = null;
  const sendQueued = async (sends: readonly PendingSend[]): Promise<void> => {
    const byTopic = new Map<string, { key: string | null; value: string }[]>();
    for (const s of sends) {
      const messages = byTopic.get(s.topic) ?? [];
      for (const r of s.records) messages.push({ key: r.key, value: r.value });
      byTopic.set(s.topic, messages);
    }
    let p: Producer | null = null;
    try {
      p = await getProducer();
      await p.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic: wire(topic), messages })),
      });
      for (const s of sends) s.resolve();
    } catch (error) {
      if (p !== null && producer === p) {
        producer = null;
        producerConnecting = null;
        await p.disconnect().catch(() => undefined);
      }
      for (const s of sends) s.reject(error);
    }
  };
  const flush = async (): Promise<void> => {
    if (lingerTimer) clearTimeout(lingerTimer);
    lingerTimer = null;
    if (sending) return sending; // its loop takes what queued meanwhile
    if (pending.length === 0) return;
    sending = (async () => {
      try {
        while (pending.length > 0) {
          let [taken, count, bytes] = [0, 0, 0];
          for (let next = pending[0]; next !== undefined; next = pending[taken]) {
            if (taken > 0 && (count + next.records.length > maxBatchRecords || bytes + next.bytes > maxBatchBytes))
              break;
            [taken, count, bytes] = [taken + 1, count + next.records.length, bytes + next.bytes];
          }
          const sends = pending.slice(0, taken);
          pending = pending.slice(taken);
          pendingRecords -= count;
          pendingBytes -= bytes;
          await sendQueued(sends);
        }
      } finally {
        // In the same step as the loop's last look at `pending`: a send queued after it starts a new loop
        // (cleared in a later .finally(), such a send would find `sending` set and wait forever).
        sending = null;
      }
    })();
    return sending;
  };

  return {
    async ensureTopics(topics, options) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = topics.map(wire).filter((t) => !existing.has(t));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({
              topic,
              numPartitions: options?.partitions ?? 1,
              replicationFactor: config.replicationFactor ?? -1,
              ...(options?.compacted ? { configEntries: [...COMPACTED_TOPIC_CONFIG] } : {}),
            })),
          });
        }
      } finally {
        await admin.disconnect();
      }
    },

    send(topic: string, records: readonly OutgoingRecord[]) {
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const bytes = records.reduce(
          (sum, r) => sum + Buffer.byteLength(r.value) + (r.key === null ? 0 : Buffer.byteLength(r.key)),
          0,
        );
        pending.push({ topic, records, bytes, resolve, reject });
        pendingRecords += records.length;
        pendingBytes += bytes;
        if (pendingRecords >= maxBatchRecords || pendingBytes >= maxBatchBytes) void flush();
        else lingerTimer ??= setTimeout(() => void flush(), lingerMs);
      });
    },

    async subscribe(options: SubscribeOptions): Promise<Subscription> {
      let closed = false;
      let restartTimer: NodeJS.Timeout | null = null;
      const startConsumer = async (): Promise<Consumer> => {
        const consumer = kafka.consumer({
          groupId: options.groupId,
          maxBytesPerPartition: config.maxBytesPerPartition ?? 4 * 1024 * 1024,
          ...(config.maxBytes === undefined ? {} : { maxBytes: config.maxBytes }),
          ...(config.minBytes === undefined ? {} : { minBytes: config.minBytes }),
          ...(config.maxWaitTimeMs === undefined ? {} : { maxWaitTimeInMs: config.maxWaitTimeMs }),
          sessionTimeout: config.sessionTimeoutMs ?? 10_000,
          heartbeatInterval: 1000,
          retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
        });
        // kafkajs restarts a consumer that crashed on a retriable error, and gives up on any other (seen in
        // bench:accuracy: a handler that waited out a 60 s store outage lost its group membership, the
        // commit failed, and the consumer stopped for good while the process looked healthy). Nothing
        // was committed past what was stored, so a fresh consumer resumes from the group's offsets.
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.restart || closed) return;
          config.logger.error(
            { err: payload.error, groupId: options.groupId, restartInMs: CONSUMER_RESTART_MS },
            'consumer crashed and kafkajs will not restart it; starting a new one',
          );
          restartTimer = setTimeout(() => {
            restartTimer = null;
            if (closed) return;
            startConsumer().then(
              (next) => {
                if (closed) void next.disconnect();
                else current = next;
              },
              (error: unknown) =>
                config.logger.error({ err: error, groupId: options.groupId }, 'consumer restart failed'),
            );
          }, CONSUMER_RESTART_MS);
        });
        await consumer.connect();
        await consumer.subscribe({ topics: options.topics.map(wire), fromBeginning: options.fromBeginning ?? true });
        await consumer.run({
          partitionsConsumedConcurrently: config.partitionsConsumedConcurrently ?? 1,
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async (payload) => {
            const { batch } = payload;
            if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
            const topic = unwire(batch.topic);
            const records: DeliveredRecord[] = batch.messages.map(
              (m) =>
                new KafkaRecord(
                  topic,
                  batch.partition,
                  m.offset,
                  m.key === null ? null : m.key.toString('utf8'),
                  m.value,
                  Number(m.timestamp),
                ),
            );
            const delivered = { topic, partition: batch.partition, records };
            try {
              await options.handleBatch(delivered);
            } catch (error) {
              options.onError?.(error, delivered);
              throw error;
            }
            const last = batch.lastOffset();
            payload.resolveOffset(last);
            await consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
            ]);
            await payload.heartbeat();
          },
        });
        return consumer;
      };
      let current = await startConsumer();
      const subscription: Subscription = {
        async close() {
          closed = true;
          if (restartTimer) clearTimeout(restartTimer);
          subscriptions.delete(subscription);
          await abandonLate(
            `consumer of group ${options.groupId} stopping (handler, commit, leaving the group)`,
            current.disconnect(),
            closeTimeoutMs,
          );
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },

    async close() {
      const endsAtMs = Date.now() + closeTimeoutMs;
      const left = () => Math.max(0, endsAtMs - Date.now());
      await abandonLate('queued sends', flush(), left());
      const abandoned = pending;
      pending = [];
      for (const s of abandoned) s.reject(new Error('bus closed before this send went out'));
      await Promise.all([...subscriptions].map((s) => s.close()));
      const connecting = producerConnecting;
      producer = null;
      producerConnecting = null;
      if (connecting)
        await abandonLate(
          'producer disconnecting',
          connecting.then(
            (p) => p.disconnect(),
            () => undefined,
          ),
          left(),
        );
    },
  };
}
