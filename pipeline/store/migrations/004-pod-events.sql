-- Pod lifecycle events (allocation time for cost attribution comes from here).
-- Identity: a pod's event of one type at one instant, (cluster, pod_uid, event, at_ms); a replayed
-- event collapses. node is NULL before scheduling. gpu_request_* flattens the request union:
--   none                     kind 'none'
--   whole {count}            kind 'whole',    count
--   fraction {milli, memoryBytes?}  kind 'fraction', milli, memory_bytes (NULL when absent)
--   mig {profile, count}     kind 'mig',      mig_profile, count
-- Labels are two parallel arrays (18.16 has no Map). owner_kind/owner_name are '' for no owner.
-- Month partitions: lifecycle rows are kept as long as the cost ledger (a year or more).
CREATE TABLE IF NOT EXISTS {{database}}.pod_events
(
    ts DateTime('UTC'),
    at_ms UInt64,
    date Date,
    cluster String,
    node Nullable(String),
    pod_uid String,
    namespace String,
    pod_name String,
    event String,
    gpu_request_kind String,
    gpu_request_count UInt32,
    gpu_request_milli UInt32,
    gpu_request_memory_bytes Nullable(UInt64),
    gpu_request_mig_profile String,
    label_keys Array(String),
    label_values Array(String),
    owner_kind String,
    owner_name String,
    gpu_uuids Array(String),
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (cluster, pod_uid, event, at_ms)
