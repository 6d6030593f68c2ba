-- Xid errors the agents attached to their GPU samples (contracts GpuSample.xidErrors): one row per
-- code per sample, so the anomaly rules (pipeline/rules/xid.ts) read them from the store.
--
-- Identity: the sample's identity (cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq) plus the
-- code's position in the sample's list (`ordinal`): a replayed batch repeats every key column and
-- collapses (ReplacingMergeTree, no version: copies are identical but for ingested_at). The day
-- partition derives from ts_ms, part of the key. Written with the batch's samples, before its row in
-- ingest_batches (pipeline/ingest/store-writers.ts).
CREATE TABLE IF NOT EXISTS {{database}}.gpu_xid_events
(
    ts DateTime('UTC'),
    ts_ms UInt64,
    date Date,
    cluster String,
    node String,
    gpu_uuid String,
    agent_id String,
    boot_id String,
    seq UInt64,
    ordinal UInt32,
    xid UInt32,
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(date)
ORDER BY (cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq, ordinal)
