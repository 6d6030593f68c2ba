import { Kafka, logLevel, type Admin, type ConfigResourceTypes } from 'kafkajs';

/** ConfigResourceTypes.TOPIC: kafkajs's CommonJS export of that enum is not visible to an ES module import. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/** Offsets of topics and consumer groups, and clean-up, on a Kafka cluster (admin API); topic names unprefixed. */
export interface KafkaAdmin {
  /** Log end offset (next offset to be written) per partition. */
  endOffsets(topic: string): Promise<Map<number, bigint>>;
  /** Log start offset per partition (the oldest record still kept). */
  startOffsets(topic: string): Promise<Map<number, bigint>>;
  /** The group's committed offset per partition; absent when it committed nothing there. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /** Removes a consumer group with no members (e.g. a one-off reader's). */
  deleteGroup(groupId: string): Promise<void>;
  /** The topic's settings (e.g. `cleanup.policy`), defaults included. */
  topicConfig(topic: string): Promise<Map<string, string>>;
  /** Deletes topics (a bench's or a test's own). */
  deleteTopics(topics: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaAdminConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** The bus's topicPrefix (see bus/kafka-bus.ts). */
  readonly topicPrefix?: string;
  readonly requestTimeoutMs?: number;
}

/** A Kafka adapter (kafkajs stays in adapter files): the RecordBus interface has no offsets. */
export function createKafkaAdmin(config: KafkaAdminConfig): KafkaAdmin {
  const prefix = config.topicPrefix ?? '';
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.NOTHING,
    requestTimeout: config.requestTimeoutMs ?? 5000,
    retry: { retries: 1 },
  });
  const admin = kafka.admin();
  let connected: Promise<Admin> | null = null;
  const ready = (): Promise<Admin> =>
    (connected ??= admin.connect().then(
      () => admin,
      (error: unknown) => {
        connected = null;
        throw error;
      },
    ));

  return {
    async endOffsets(topic) {
      const offsets = await (await ready()).fetchTopicOffsets(prefix + topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    },
    async startOffsets(topic) {
      const offsets = await (await ready()).fetchTopicOffsets(prefix + topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
    },
    async committedOffsets(groupId, topic) {
      const [found] = await (await ready()).fetchOffsets({ groupId, topics: [prefix + topic] });
      return new Map(
        (found?.partitions ?? []).filter((p) => BigInt(p.offset) >= 0n).map((p) => [p.partition, BigInt(p.offset)]),
      );
    },
    async deleteGroup(groupId) {
      await (await ready()).deleteGroups([groupId]);
    },
    async topicConfig(topic) {
      const { resources } = await (
        await ready()
      ).describeConfigs({
        includeSynonyms: false,
        resources: [{ type: TOPIC_RESOURCE, name: prefix + topic }],
      });
      return new Map((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
    },
    async deleteTopics(topics) {
      await (await ready()).deleteTopics({ topics: topics.map((t) => prefix + t) });
    },
    async close() {
      const pending = connected;
      connected = null;
      if (pending) await pending.then((a) => a.disconnect()).catch(() => undefined);
    },
  };
}
