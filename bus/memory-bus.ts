import type {
  DeliveredBatch,
  DeliveredRecord,
  OutgoingRecord,
  RecordBus,
  SubscribeOptions,
  Subscription,
} from '../contracts/bus.ts';
import { partitionForKey } from './partition-for-key.ts';

export interface MemoryBusConfig {
  /** Partitions of a topic created implicitly by `send` or `ensureTopics` without a count. */
  readonly defaultPartitions?: number;
  /** Most records handed to one handler call. */
  readonly maxBatchRecords?: number;
  /** Wait before redelivering a batch whose handler failed. */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
}

/**
 * One partition's log. Offsets count up from 0; a compacted topic drops a key's older record when a
 * newer one arrives, so `records` may skip offsets (as Kafka's compacted logs do).
 */
interface PartitionLog {
  /** By ascending offset. */
  readonly records: DeliveredRecord[];
  next: number;
  /** Compacted topics: key → offset of its latest record; null otherwise. */
  readonly latest: Map<string, number> | null;
}

/** Index of the first record at or after `offset` (records.length when none). */
function firstAtOrAfter(records: readonly DeliveredRecord[], offset: number): number {
  let [lo, hi] = [0, records.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Number(records[mid]!.offset) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface GroupState {
  /** Next offset to deliver per `topic/partition`: the committed position. */
  readonly committed: Map<string, number>;
  readonly members: Set<MemberLoop>;
}

interface MemberLoop {
  readonly topics: readonly string[];
  wake(): void;
}

/**
 * In-process record bus for embedded mode: same semantics as the Kafka bus (partitions, per-key
 * order, consumer groups with offsets committed after the handler resolves, redelivery on failure),
 * no durability across process restarts. A compacted topic keeps only the latest record per key at
 * once (Kafka's cleaner does it later; both keep at least the latest), so its memory stays bounded.
 */
export function createMemoryBus(config: MemoryBusConfig = {}): RecordBus {
  const defaultPartitions = config.defaultPartitions ?? 1;
  const maxBatch = config.maxBatchRecords ?? 500;
  const retryDelayMs = config.retryDelayMs ?? 100;
  const now = config.now ?? Date.now;
  const logs = new Map<string, PartitionLog[]>();
  const groups = new Map<string, GroupState>();
  const loops = new Set<Promise<void>>();
  let roundRobin = 0;
  let closed = false;

  const topicLog = (topic: string, partitions = defaultPartitions, compacted = false): PartitionLog[] => {
    let log = logs.get(topic);
    if (!log) {
      log = Array.from({ length: partitions }, () => ({ records: [], next: 0, latest: compacted ? new Map() : null }));
      logs.set(topic, log);
    }
    return log;
  };

  /** Appends; on a compacted topic the key's previous record goes (the log holds one record per key). */
  const append = (plog: PartitionLog, record: DeliveredRecord): void => {
    if (plog.latest !== null && record.key !== null) {
      const previous = plog.latest.get(record.key);
      if (previous !== undefined) plog.records.splice(firstAtOrAfter(plog.records, previous), 1);
      plog.latest.set(record.key, plog.next);
    }
    plog.records.push(record);
    plog.next += 1;
  };

  const wakeAll = (topic: string): void => {
    for (const group of groups.values()) for (const m of group.members) if (m.topics.includes(topic)) m.wake();
  };

  /** The partitions a member owns: partitions are dealt round-robin over the group's members. */
  const assignment = (group: GroupState, member: MemberLoop): Array<[string, number]> => {
    const members = [...group.members];
    const index = members.indexOf(member);
    const all: Array<[string, number]> = [];
    for (const topic of [...member.topics].sort()) topicLog(topic).forEach((_, p) => all.push([topic, p]));
    return all.filter((_, i) => i % members.length === index);
  };

  const runMember = async (
    group: GroupState,
    member: MemberLoop,
    options: SubscribeOptions,
    isStopped: () => boolean,
    idle: () => Promise<void>,
  ) => {
    while (!isStopped()) {
      let delivered = false;
      for (const [topic, partition] of assignment(group, member)) {
        if (isStopped()) break;
        const key = `${topic}/${partition}`;
        const log = topicLog(topic)[partition];
        if (log === undefined) continue;
        const from = group.committed.get(key) ?? (options.fromBeginning === false ? log.next : 0);
        if (!group.committed.has(key)) group.committed.set(key, from);
        const first = firstAtOrAfter(log.records, from);
        if (first >= log.records.length) continue;
        const batch: DeliveredBatch = { topic, partition, records: log.records.slice(first, first + maxBatch) };
        delivered = true;
        try {
          await options.handleBatch(batch);
          group.committed.set(key, Number(batch.records[batch.records.length - 1]!.offset) + 1);
        } catch (error) {
          options.onError?.(error, batch);
          await new Promise((r) => setTimeout(r, retryDelayMs));
        }
      }
      if (!delivered) await idle();
    }
  };

  return {
    async ensureTopics(topics, options) {
      for (const topic of topics)
        topicLog(topic, options?.partitions ?? defaultPartitions, options?.compacted ?? false);
      return Promise.resolve();
    },

    async send(topic: string, records: readonly OutgoingRecord[]) {
      if (closed) throw new Error('memory bus is closed');
      const log = topicLog(topic);
      for (const record of records) {
        const partition = partitionForKey(record.key, log.length, roundRobin++);
        const plog = log[partition]!;
        append(plog, {
          topic,
          partition,
          offset: String(plog.next),
          key: record.key,
          value: record.value,
          timestampMs: now(),
        });
      }
      wakeAll(topic);
      return Promise.resolve();
    },

    async subscribe(options): Promise<Subscription> {
      if (closed) throw new Error('memory bus is closed');
      let group = groups.get(options.groupId);
      if (!group) {
        group = { committed: new Map(), members: new Set() };
        groups.set(options.groupId, group);
      }
      let stopped = false;
      let wakeUp: (() => void) | null = null;
      const member: MemberLoop = {
        topics: [...options.topics],
        wake: () => {
          wakeUp?.();
          wakeUp = null;
        },
      };
      for (const topic of options.topics) topicLog(topic);
      const idle = () =>
        new Promise<void>((resolve) => {
          wakeUp = resolve;
          // Safety net against a missed wake-up; cheap because it only re-checks positions.
          setTimeout(resolve, 250).unref();
        });
      const g = group;
      g.members.add(member);
      const loop = runMember(g, member, options, () => stopped || closed, idle);
      loops.add(loop);
      return {
        async close() {
          stopped = true;
          member.wake();
          await loop;
          loops.delete(loop);
          g.members.delete(member);
        },
      };
    },

    async close() {
      closed = true;
      for (const group of groups.values()) for (const m of group.members) m.wake();
      await Promise.all(loops);
    },
  };
}
