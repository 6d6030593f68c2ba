/**
 * The record bus: how components exchange records. Kafka in distributed mode, an in-process bus in
 * embedded mode; both pass test/bus-conformance.ts. Values are UTF-8 JSON strings; decoding to typed
 * records happens at the consumer with the contracts' decoders.
 */

/** One record to publish. `key` decides the partition (agents key by node), so per-key order holds. */
export interface OutgoingRecord {
  readonly key: string | null;
  readonly value: string;
}

/** One record as delivered, with its position so that a dead letter can say where it came from. */
export interface DeliveredRecord {
  readonly topic: string;
  readonly partition: number;
  /** Offset as a decimal string (Kafka offsets are int64). */
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly timestampMs: number;
}

/** The records of one topic-partition handed to a handler together, in offset order. */
export interface DeliveredBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly DeliveredRecord[];
}

/** Publishes records. `send` resolves only once the bus has accepted every record (acks=all). */
export interface RecordSink {
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Consumer group: members share partitions; committed offsets are per group. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts. Default: earliest. */
  readonly fromBeginning?: boolean;
  /**
   * Called per batch. Offsets are committed only after it resolves; if it rejects, nothing of the
   * batch is committed and the batch is delivered again (at-least-once).
   */
  readonly handleBatch: (batch: DeliveredBatch) => Promise<void>;
  /** Called when the handler failed and the batch will be retried; for logging and counters. */
  readonly onError?: (error: unknown, batch: DeliveredBatch) => void;
}

/** A running consumer group member. `close` stops fetching, waits for the batch in flight, leaves. */
export interface Subscription {
  close(): Promise<void>;
}

export interface EnsureTopicsOptions {
  readonly partitions?: number;
  /**
   * Keep at least the latest record per key instead of every record (Kafka `cleanup.policy=compact`):
   * for snapshots republished under a stable key, such as node hints. A consumer reading from the
   * beginning still sees every key's latest value; older values of a key may or may not be delivered.
   */
  readonly compacted?: boolean;
}

/** Both sides of the bus plus topic administration. */
export interface RecordBus extends RecordSink {
  /** Creates topics that do not exist yet (idempotent); an existing topic keeps its settings. */
  ensureTopics(topics: readonly string[], options?: EnsureTopicsOptions): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
}
