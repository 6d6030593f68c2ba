-- Raw GPU and MIG-instance samples: one row per device per sampling instant.
--
-- Dedup under replay (ReplacingMergeTree, no version column):
--   Delivery is at-least-once, so a batch can arrive twice (Kafka redelivery, consumer rebalance,
--   agent spool resend). A replayed batch carries the same (agent_id, boot_id, seq) and the same
--   samples; inside one batch a device is sampled once per instant (gpu_uuid, ts_ms). So the row's
--   identity is (agent_id, boot_id, seq, gpu_uuid, ts_ms), which is exactly the ORDER BY key;
--   cluster and node lead it only for locality (they are functions of agent_id).
--   Not in the key: ingested_at (differs between original and replay, which is why there is no
--   version column: any copy may win) and the measured values (identical by construction).
--   The partition (the UTC day of ts_ms) is a function of the key, so copies always share a
--   partition: ReplacingMergeTree only collapses within one.
--   Merges collapse copies eventually; until then every read collapses them itself (FINAL or
--   GROUP BY the key), see telemetry-store.ts.
-- Retention: ALTER TABLE … DROP PARTITION <YYYYMMDD> (18.16 has no TTL).
CREATE TABLE IF NOT EXISTS {{database}}.gpu_samples
(
    ts DateTime('UTC'),
    ts_ms UInt64,
    date Date,
    cluster String,
    node String,
    agent_id String,
    boot_id String,
    seq UInt64,
    source String,
    kind String,
    gpu_uuid String,
    parent_gpu_uuid String,
    gpu_index UInt32,
    model String,
    driver_version String,
    utilization_pct Nullable(Float64),
    memory_used_bytes Nullable(UInt64),
    memory_total_bytes Nullable(UInt64),
    power_watts Nullable(Float64),
    power_limit_watts Nullable(Float64),
    temperature_c Nullable(Float64),
    sm_clock_mhz Nullable(Float64),
    mem_clock_mhz Nullable(Float64),
    throttle_reasons Array(String),
    ecc_corrected_total Nullable(UInt64),
    ecc_uncorrected_total Nullable(UInt64),
    mig_gi_id Nullable(UInt32),
    mig_ci_id Nullable(UInt32),
    mig_profile String,
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(date)
ORDER BY (cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq)
