-- Per-pod usage rollups at 1 minute and 1 hour: GPU samples joined with the GPU processes observed in
-- the SAME batch (agent_id, boot_id, seq), recomputed like gpu_rollup_* (docs/ingest-dedup.md).
--
-- Attribution rule, per deduplicated sample of a device:
--   - the sample is bound to the distinct pods (pod_uid) that had a process on its physical GPU in
--     that batch: the GPU's own UUID, or the parent's for a MIG instance (nvidia-smi reports the
--     parent UUID for processes; instances of one GPU cannot be told apart in the stored bindings);
--   - a process outside any pod counts as the pseudo-pod '__host__'; a sample with no process at all
--     is booked to '__no_process__', so that the pods of a device always add up to the device;
--   - with k pods bound, each gets the sample's full interval in gpu_ms and 1/k of it in the *_shared
--     columns (equal split: the processes' memory says nothing about who used the SMs).
--   Σ over pods of gpu_ms_shared = covered_ms of the device (gpu_rollup_*), up to float rounding.
-- util_* describe the DEVICE while the pod was bound; pod_mem_* the pod's own processes' GPU memory.
CREATE TABLE IF NOT EXISTS {{database}}.pod_rollup_1m
(
    window_start DateTime('UTC'),
    cluster String,
    pod_uid String,
    node String,
    gpu_uuid String,
    samples UInt64,
    gpu_ms UInt64,
    gpu_ms_shared Float64,
    busy_pct_ms_shared Float64,
    energy_mj_shared Float64,
    max_pods_sharing UInt32,
    util_samples UInt64,
    util_sum Float64,
    util_avg Nullable(Float64),
    util_min Nullable(Float64),
    util_max Nullable(Float64),
    util_p95 Nullable(Float64),
    pod_mem_samples UInt64,
    pod_mem_sum UInt64,
    pod_mem_avg Nullable(Float64),
    pod_mem_max Nullable(UInt64),
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, pod_uid, node, gpu_uuid, window_start)
-- statement
CREATE TABLE IF NOT EXISTS {{database}}.pod_rollup_1h
(
    window_start DateTime('UTC'),
    cluster String,
    pod_uid String,
    node String,
    gpu_uuid String,
    samples UInt64,
    gpu_ms UInt64,
    gpu_ms_shared Float64,
    busy_pct_ms_shared Float64,
    energy_mj_shared Float64,
    max_pods_sharing UInt32,
    util_samples UInt64,
    util_sum Float64,
    util_avg Nullable(Float64),
    util_min Nullable(Float64),
    util_max Nullable(Float64),
    util_p95 Nullable(Float64),
    pod_mem_samples UInt64,
    pod_mem_sum UInt64,
    pod_mem_avg Nullable(Float64),
    pod_mem_max Nullable(UInt64),
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, pod_uid, node, gpu_uuid, window_start)
