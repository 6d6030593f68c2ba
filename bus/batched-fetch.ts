import type { KafkaBusConfig } from './kafka-bus.ts';

/**
 * How a consumer that batches across handler calls (the ingest pipeline) fetches from Kafka: each
 * fetch is handed over whole (every partition's batch of it at once, so it becomes one store write),
 * as large as a broker sends by default, and the broker holds a fetch back until it has a good
 * amount of data or `waitMs` has passed. With a backlog that gives the largest inserts; at a fleet's
 * steady rate about one insert per table each `waitMs`. ClickHouse pays per insert: every part it
 * writes is merged again and again (about four rewrites per row at 40k-row inserts, under two at
 * 160k: docs/ingest-dedup.md §9), so fewer, larger inserts cost it far less CPU per row.
 */

/** Kafka's default limit for one fetch response (broker `fetch.max.bytes`, 55 MiB): asking for more gains nothing. */
export const BROKER_FETCH_MAX_BYTES = 57_671_680;
/** What a held-back fetch waits for before `waitMs` is up. */
const MIN_FETCH_BYTES = 16 * 1024 * 1024;

export interface BatchedFetch {
  /** The Kafka bus's consumer settings. */
  readonly bus: Required<
    Pick<
      KafkaBusConfig,
      'partitionsConsumedConcurrently' | 'maxBytes' | 'maxBytesPerPartition' | 'minBytes' | 'maxWaitTimeMs'
    >
  >;
  /** Bus batches one member hands over at once (the ingest config's batchesPerMember). */
  readonly batchesPerMember: number;
}

/**
 * The fetch of `members` consumer-group members (in this process) sharing `partitions` partitions;
 * `waitMs` 0 returns a fetch as soon as anything is there.
 */
export function batchedFetch(options: {
  readonly members: number;
  readonly partitions: number;
  readonly waitMs: number;
}): BatchedFetch {
  const { members, partitions, waitMs } = options;
  if (!(Number.isSafeInteger(members) && members >= 1 && Number.isSafeInteger(partitions) && partitions >= 1)) {
    throw new RangeError(
      `batchedFetch: members and partitions must be integers >= 1, got ${members} and ${partitions}`,
    );
  }
  if (!(Number.isSafeInteger(waitMs) && waitMs >= 0))
    throw new RangeError(`batchedFetch: waitMs must be an integer >= 0, got ${waitMs}`);
  const batchesPerMember = Math.ceil(partitions / members);
  return {
    batchesPerMember,
    bus: {
      partitionsConsumedConcurrently: batchesPerMember,
      maxBytes: BROKER_FETCH_MAX_BYTES,
      maxBytesPerPartition: Math.ceil(BROKER_FETCH_MAX_BYTES / batchesPerMember),
      minBytes: waitMs === 0 ? 1 : MIN_FETCH_BYTES,
      maxWaitTimeMs: waitMs === 0 ? 100 : waitMs,
    },
  };
}
