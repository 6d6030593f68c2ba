-- GPU processes seen at each sample: pid, GPU memory, and the pod/container the pid belongs to.
-- Dedup as gpu_samples: a replayed batch repeats (agent_id, boot_id, seq); inside a batch a process
-- is listed once per device per instant, so the identity is (…, gpu_uuid, ts_ms, pid, agent_id,
-- boot_id, seq). The day partition derives from ts_ms, part of the key.
CREATE TABLE IF NOT EXISTS {{database}}.gpu_processes
(
    ts DateTime('UTC'),
    ts_ms UInt64,
    date Date,
    cluster String,
    node String,
    agent_id String,
    boot_id String,
    seq UInt64,
    gpu_uuid String,
    pid UInt32,
    process_name String,
    used_memory_bytes Nullable(UInt64),
    pod_uid String,
    container_id String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(date)
ORDER BY (cluster, node, gpu_uuid, ts_ms, pid, agent_id, boot_id, seq)
