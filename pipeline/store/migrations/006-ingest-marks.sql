-- Change marks written by the ingest pipeline AFTER the rows they describe, so that the scheduled
-- jobs find what changed without scanning the raw tables (docs/ingest-dedup.md):
--   ingest_dirty_windows     one row per 1-minute window (UTC, epoch ms of its start) and node that
--                            a flush wrote GPU samples of; the rollup job recomputes those windows
--                            for those nodes (statements by node group: the raw tables' key prefix).
--   ingest_dirty_seq_buckets one row per (agent_id, boot_id, seq_bucket = intDiv(seq, 1024)) that a
--                            flush wrote ledger rows into; the telemetry-gap job recomputes those.
-- Plain MergeTree: a replayed batch writes its marks again, which only causes a recomputation that
-- yields the same result. `ingested_at` is stamped just before the marks are inserted; the jobs read
-- marks newer than their watermark minus an overlap that covers any insert still in flight.
-- Day partitions, dropped with the raw retention (the marks matter only for minutes after ingest).
CREATE TABLE IF NOT EXISTS {{database}}.ingest_dirty_windows
(
    ingested_at DateTime('UTC'),
    window_start_ms UInt64,
    cluster String,
    node String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(ingested_at)
ORDER BY (ingested_at, window_start_ms, cluster, node)
-- statement
CREATE TABLE IF NOT EXISTS {{database}}.ingest_dirty_seq_buckets
(
    ingested_at DateTime('UTC'),
    agent_id String,
    boot_id String,
    seq_bucket UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(ingested_at)
ORDER BY (ingested_at, agent_id, boot_id, seq_bucket)
