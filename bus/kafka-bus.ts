import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DeliveredRecord, OutgoingRecord, RecordBus, SubscribeOptions, Subscription } from '../contracts/bus.ts';

export interface KafkaBusConfig {
  /** `host:port` list; use 127.0.0.1 literally for a local broker (Node resolves localhost to ::1 first). */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Upper bound for one fetch, per partition. */
  readonly maxBytesPerPartition?: number;
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
  /**
   * Batching producer: sends that arrive within `lingerMs` of each other go to Kafka as one
   * produce request (all topics together), up to `maxBatchRecords`. Default 5 ms / 10,000.
   */
  readonly lingerMs?: number;
  readonly maxBatchRecords?: number;
}

interface PendingSend {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** Routes kafkajs's own log lines into our pino logger (info and up; debug stays off). */
function logCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      logger[LEVEL_NAMES[level] ?? 'info']({ kafka: rest }, message);
    };
}

/**
 * Record bus on Apache Kafka (kafkajs). Producer: acks from all in-sync replicas, idempotent.
 * Consumer: one kafkajs consumer per subscription, offsets committed explicitly after the handler
 * resolves; a handler error is retried by kafkajs with backoff (and the consumer restarted), so a
 * batch that was not committed is delivered again.
 */
export function createKafkaBus(config: KafkaBusConfig): RecordBus {
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 10_000,
    logLevel: KafkaLogLevel.WARN,
    logCreator: logCreator(config.logger),
    retry: { retries: config.sendRetries ?? 5, initialRetryTime: 200, maxRetryTime: 5000 },
  });
  let producer: Producer | null = null;
  let producerConnecting: Promise<Producer> | null = null;
  const subscriptions = new Set<Subscription>();
  const lingerMs = config.lingerMs ?? 5;
  const maxBatchRecords = config.maxBatchRecords ?? 10_000;
  let pending: PendingSend[] = [];
  let pendingRecords = 0;
  let lingerTimer: NodeJS.Timeout | null = null;
  const prefix = config.topicPrefix ?? '';
  const wire = (topic: string) => prefix + topic;
  const unwire = (topic: string) => (topic.startsWith(prefix) ? topic.slice(prefix.length) : topic);

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

  /** Sends everything queued as one produce request; each caller's promise settles with it. */
  const flush = async (): Promise<void> => {
    if (lingerTimer) clearTimeout(lingerTimer);
    lingerTimer = null;
    const sends = pending;
    pending = [];
    pendingRecords = 0;
    if (sends.length === 0) return;
    const byTopic = new Map<string, { key: string | null; value: string }[]>();
    for (const s of sends) {
      const messages = byTopic.get(s.topic) ?? [];
      for (const r of s.records) messages.push({ key: r.key, value: r.value });
      byTopic.set(s.topic, messages);
    }
    try {
      const p = await getProducer();
      await p.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic: wire(topic), messages })) });
      for (const s of sends) s.resolve();
    } catch (error) {
      for (const s of sends) s.reject(error);
    }
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
            topics: missing.map((topic) => ({ topic, numPartitions: options?.partitions ?? 1, replicationFactor: 1 })),
          });
        }
      } finally {
        await admin.disconnect();
      }
    },

    send(topic: string, records: readonly OutgoingRecord[]) {
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending.push({ topic, records, resolve, reject });
        pendingRecords += records.length;
        if (pendingRecords >= maxBatchRecords) void flush();
        else lingerTimer ??= setTimeout(() => void flush(), lingerMs);
      });
    },

    async subscribe(options: SubscribeOptions): Promise<Subscription> {
      const consumer = kafka.consumer({
        groupId: options.groupId,
        maxBytesPerPartition: config.maxBytesPerPartition ?? 4 * 1024 * 1024,
        sessionTimeout: 10_000,
        heartbeatInterval: 1000,
        retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
      });
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics.map(wire), fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
          const topic = unwire(batch.topic);
          const records: DeliveredRecord[] = batch.messages.map((m) => ({
            topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key === null ? null : m.key.toString('utf8'),
            value: m.value === null ? '' : m.value.toString('utf8'),
            timestampMs: Number(m.timestamp),
          }));
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
      const subscription: Subscription = {
        async close() {
          subscriptions.delete(subscription);
          await consumer.disconnect();
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },

    async close() {
      await flush();
      await Promise.all([...subscriptions].map((s) => s.close()));
      if (producerConnecting) {
        const p = await producerConnecting.catch(() => null);
        await p?.disconnect();
      }
      producer = null;
      producerConnecting = null;
    },
  };
}
