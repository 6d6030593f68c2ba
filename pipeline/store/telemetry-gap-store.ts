import type { SqlExecutor } from './executor.ts';
import { dateTime, ident, raw, sql, str, uint, type SqlQuery } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** Batches per telemetry_seq_buckets row (migration 009); a bucket is recomputed as a whole. */
export const SEQ_BUCKET_SIZE = 1024;

/** One (agent, boot, bucket) whose ledger rows changed. */
export interface SeqBucketRef {
  readonly agentId: string;
  readonly bootId: string;
  readonly seqBucket: number;
}

/** Buckets that flushes marked dirty at or after `sinceMs` (ingest_dirty_seq_buckets). */
export async function dirtySeqBuckets(
  executor: SqlExecutor,
  database: string,
  sinceMs: number,
): Promise<SeqBucketRef[]> {
  const rows = await executor.query<{ agent_id: string; boot_id: string; seq_bucket: string | number }>(sql`
    SELECT DISTINCT agent_id, boot_id, seq_bucket FROM ${ident(database)}.ingest_dirty_seq_buckets
    WHERE ingested_at >= ${dateTime(sinceMs)} ORDER BY agent_id, boot_id, seq_bucket`);
  return rows.map((r) => ({
    agentId: r.agent_id,
    bootId: r.boot_id,
    seqBucket: toSafeNumber(r.seq_bucket, 'seq_bucket'),
  }));
}

/** `(agent_id = … AND boot_id = … AND seq in the bucket) OR …`: ranges on ingest_batches' primary key. */
function bucketFilter(buckets: readonly SeqBucketRef[]): SqlQuery {
  return buckets
    .map(
      (b) =>
        sql`(agent_id = ${str(b.agentId)} AND boot_id = ${str(b.bootId)} AND seq >= ${uint(b.seqBucket * SEQ_BUCKET_SIZE)} AND seq < ${uint((b.seqBucket + 1) * SEQ_BUCKET_SIZE)})`,
    )
    .reduce((acc, next) => sql`${raw(acc)} OR ${raw(next)}`);
}

/**
 * Recomputes the given buckets from the deduplicated ledger (ingest_batches): present seqs, the
 * ranges missing between them, first/last collection time. Idempotent; newer computedAtMs wins.
 */
export async function recomputeSeqBuckets(
  executor: SqlExecutor,
  database: string,
  buckets: readonly SeqBucketRef[],
  computedAtMs: number,
): Promise<void> {
  if (buckets.length === 0) return;
  const db = ident(database);
  await executor.command(sql`
    INSERT INTO ${db}.telemetry_seq_buckets
      (agent_id, boot_id, seq_bucket, cluster, node, first_seq, last_seq, batches, missing_from, missing_to,
       first_seen, last_seen, first_ingested, computed_at_ms)
    SELECT agent_id, boot_id, bucket, g_cluster, g_node, g_first, g_last, g_batches,
           arrayMap((s, d) -> toUInt64(s - d + 1), arrayFilter((s, d) -> d > 1, seqs, diffs), arrayFilter(d -> d > 1, diffs)),
           arrayMap(s -> toUInt64(s - 1), arrayFilter((s, d) -> d > 1, seqs, diffs)),
           g_first_seen, g_last_seen, g_first_ingested, ${uint(computedAtMs)}
    FROM (
      SELECT agent_id, boot_id, intDiv(seq, ${uint(SEQ_BUCKET_SIZE)}) AS bucket,
             any(b_cluster) AS g_cluster, any(b_node) AS g_node, min(seq) AS g_first, max(seq) AS g_last,
             count() AS g_batches, arraySort(groupArray(seq)) AS seqs, arrayDifference(seqs) AS diffs,
             min(b_collected) AS g_first_seen, max(b_collected) AS g_last_seen, min(b_ingested) AS g_first_ingested
      FROM (
        SELECT agent_id, boot_id, seq, any(cluster) AS b_cluster, any(node) AS b_node,
               any(collected_at) AS b_collected, min(ingested_at) AS b_ingested
        FROM ${db}.ingest_batches
        WHERE ${raw(bucketFilter(buckets))}
        GROUP BY agent_id, boot_id, seq
      )
      GROUP BY agent_id, boot_id, bucket
    )`);
}

/** Per agent boot: what is missing and how stale it is (view telemetry_gaps, migration 009). */
export interface TelemetryGapRow {
  readonly agentId: string;
  readonly bootId: string;
  readonly cluster: string;
  readonly node: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** Distinct batches received (replays count once). */
  readonly batches: number;
  /** Seqs in [0, lastSeq] never received. */
  readonly missingBatches: number;
  /** Inclusive [from, to] seq ranges, ascending, disjoint. */
  readonly missingRanges: readonly (readonly [number, number])[];
  /** Collection time of the newest batch received (the agent's clock), epoch ms. */
  readonly lastSeenMs: number;
}

interface GapResult {
  readonly agent_id: string;
  readonly boot_id: string;
  readonly cluster: string;
  readonly node: string;
  readonly first_seq: string;
  readonly last_seq: string;
  readonly batches: string;
  readonly missing_batches: string;
  readonly missing_from: readonly string[];
  readonly missing_to: readonly string[];
  readonly last_seen_s: number;
}

/** Reads the telemetry_gaps view, optionally for one agent, ordered by agent and last seen. */
export async function readTelemetryGaps(
  executor: SqlExecutor,
  database: string,
  agentId?: string,
): Promise<TelemetryGapRow[]> {
  const filter = agentId === undefined ? raw(sql``) : raw(sql`WHERE agent_id = ${str(agentId)}`);
  const rows = await executor.query<GapResult>(sql`
    SELECT agent_id, boot_id, cluster, node, first_seq, last_seq, batches, missing_batches, missing_from, missing_to,
           toUInt32(last_seen) AS last_seen_s
    FROM ${ident(database)}.telemetry_gaps ${filter}
    ORDER BY agent_id, last_seen_s, boot_id`);
  return rows.map((r) => ({
    agentId: r.agent_id,
    bootId: r.boot_id,
    cluster: r.cluster,
    node: r.node,
    firstSeq: toSafeNumber(r.first_seq, 'first_seq'),
    lastSeq: toSafeNumber(r.last_seq, 'last_seq'),
    batches: toSafeNumber(r.batches, 'batches'),
    missingBatches: toSafeNumber(r.missing_batches, 'missing_batches'),
    missingRanges: r.missing_from.map(
      (from, i) => [toSafeNumber(from, 'missing_from'), toSafeNumber(r.missing_to[i], 'missing_to')] as const,
    ),
    lastSeenMs: r.last_seen_s * 1000,
  }));
}
