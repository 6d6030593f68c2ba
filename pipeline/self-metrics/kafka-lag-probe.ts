import { createKafkaAdmin, type KafkaAdminConfig } from '../../bus/kafka-admin.ts';

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Records between the group's committed offset and the log end (from the log start when nothing is committed). */
  readonly lagRecords: number;
}

/** Reads a consumer group's lag per partition. */
export interface LagProbe {
  read(): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

/** Consumer lag from the Kafka admin API: log end offset minus committed offset, per partition. */
export function createKafkaLagProbe(
  config: KafkaAdminConfig & { readonly groupId: string; readonly topics: readonly string[] },
): LagProbe {
  const offsets = createKafkaAdmin(config);
  return {
    async read() {
      const lags: PartitionLag[] = [];
      for (const topic of config.topics) {
        const [ends, starts, committed] = await Promise.all([
          offsets.endOffsets(topic),
          offsets.startOffsets(topic),
          offsets.committedOffsets(config.groupId, topic),
        ]);
        for (const [partition, end] of ends) {
          const from = committed.get(partition) ?? starts.get(partition) ?? 0n;
          lags.push({ topic, partition, lagRecords: Number(end - from) });
        }
      }
      return lags;
    },
    close: () => offsets.close(),
  };
}
