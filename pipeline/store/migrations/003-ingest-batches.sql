-- One row per batch the pipeline accepted: gaps in seq per (agent_id, boot_id) are measurable data
-- loss; a replayed batch (same agent_id, boot_id, seq) collapses onto its first copy. Its Kafka
-- position may differ between copies (a re-published spool), so topic/partition/offset are
-- attributes, not identity. The month partition derives from collected_at, which a replay repeats.
CREATE TABLE IF NOT EXISTS {{database}}.ingest_batches
(
    agent_id String,
    boot_id String,
    seq UInt64,
    cluster String,
    node String,
    topic String,
    `partition` UInt32,
    `offset` UInt64,
    sample_count UInt32,
    collected_at DateTime('UTC'),
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(collected_at)
ORDER BY (agent_id, boot_id, seq)
