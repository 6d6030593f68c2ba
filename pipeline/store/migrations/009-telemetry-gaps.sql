-- Telemetry gaps per agent boot: which batches never arrived, and when the agent was last heard of.
--
-- telemetry_seq_buckets: one row per (agent_id, boot_id, seq_bucket = intDiv(seq, 1024)), recomputed
-- by the telemetry-gap job from the deduplicated ingest_batches rows of that bucket whenever new
-- batches land in it (ingest_dirty_seq_buckets): first/last seq and count present, the seq ranges
-- missing BETWEEN present seqs of the bucket (missing_from[i]..missing_to[i], inclusive), and times.
-- Versioned by computed_at_ms; readers take the latest row per key with argMax, which stays exact
-- even if two versions of a key sit in different partitions (the partition month follows
-- first_seen, which late data may move).
--
-- telemetry_gaps (view): per (agent_id, boot_id), the ranges missing over the whole boot: seq starts
-- at 0 for every boot, so [0, first_seq - 1] is missing when first_seq > 0; then the inner ranges of
-- every bucket, and the ranges between consecutive buckets. Ranges are disjoint, so sorting the from
-- and to arrays separately keeps them paired. Sequence numbers after last_seq are not counted as
-- missing: that is staleness (stale_s = seconds since last_seen, the agent's collection time).
CREATE TABLE IF NOT EXISTS {{database}}.telemetry_seq_buckets
(
    agent_id String,
    boot_id String,
    seq_bucket UInt64,
    cluster String,
    node String,
    first_seq UInt64,
    last_seq UInt64,
    batches UInt64,
    missing_from Array(UInt64),
    missing_to Array(UInt64),
    first_seen DateTime('UTC'),
    last_seen DateTime('UTC'),
    first_ingested DateTime('UTC'),
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(first_seen)
ORDER BY (agent_id, boot_id, seq_bucket)
-- statement
CREATE VIEW IF NOT EXISTS {{database}}.telemetry_gaps AS
SELECT
    agent_id,
    boot_id,
    cluster,
    node,
    first_seq,
    last_seq,
    batches,
    last_seq + 1 - batches AS missing_batches,
    arraySort(arrayConcat(lead_from, inner_from, between_from)) AS missing_from,
    arraySort(arrayConcat(lead_to, inner_to, between_to)) AS missing_to,
    last_seen,
    first_ingested,
    dateDiff('second', last_seen, now()) AS stale_s
FROM
(
    SELECT
        agent_id,
        boot_id,
        any(b_cluster) AS cluster,
        any(b_node) AS node,
        min(b_first) AS first_seq,
        max(b_last) AS last_seq,
        sum(b_batches) AS batches,
        groupArrayArray(b_from) AS inner_from,
        groupArrayArray(b_to) AS inner_to,
        arraySort(groupArray(tuple(b_first, b_last))) AS spans,
        arrayFilter(i -> i > 1 AND tupleElement(spans[i], 1) > tupleElement(spans[i - 1], 2) + 1, arrayEnumerate(spans)) AS holes,
        arrayMap(i -> toUInt64(tupleElement(spans[i - 1], 2) + 1), holes) AS between_from,
        arrayMap(i -> toUInt64(tupleElement(spans[i], 1) - 1), holes) AS between_to,
        if(first_seq > 0, [toUInt64(0)], emptyArrayUInt64()) AS lead_from,
        if(first_seq > 0, [toUInt64(first_seq - 1)], emptyArrayUInt64()) AS lead_to,
        max(b_last_seen) AS last_seen,
        min(b_first_ingested) AS first_ingested
    FROM
    (
        SELECT
            agent_id,
            boot_id,
            seq_bucket,
            argMax(cluster, computed_at_ms) AS b_cluster,
            argMax(node, computed_at_ms) AS b_node,
            argMax(first_seq, computed_at_ms) AS b_first,
            argMax(last_seq, computed_at_ms) AS b_last,
            argMax(batches, computed_at_ms) AS b_batches,
            argMax(missing_from, computed_at_ms) AS b_from,
            argMax(missing_to, computed_at_ms) AS b_to,
            argMax(last_seen, computed_at_ms) AS b_last_seen,
            argMax(first_ingested, computed_at_ms) AS b_first_ingested
        FROM {{database}}.telemetry_seq_buckets
        GROUP BY agent_id, boot_id, seq_bucket
    )
    GROUP BY agent_id, boot_id
)
