-- Per-device rollups at 1 minute and 1 hour, RECOMPUTED by the rollup job from the deduplicated raw
-- samples of closed windows (docs/ingest-dedup.md). Never fed incrementally, so a replayed batch
-- cannot double count: recomputing a window gives the same values under a newer version
-- (computed_at_ms) and ReplacingMergeTree keeps one row per key; readers use FINAL.
--
-- gpu_uuid is the device id: the GPU-… UUID of a whole GPU, the MIG-… UUID of a MIG instance, or
-- `<parent GPU uuid>/<gi>/<ci>` for a MIG instance whose source gave no MIG UUID.
-- Each sample stands for the interval since the device's previous sample (interval_ms), or 0 when
-- there is none within max_gap_ms (a telemetry gap is not invented coverage); the interval is booked
-- in the window of the sample's timestamp. From it:
--   covered_ms   Σ interval_ms                          time the device was observed
--   busy_pct_ms  Σ floor(utilization_pct × interval + ½) utilization-weighted time, % × ms
--   energy_mj    Σ floor(power_watts × interval + ½)     W × ms = millijoules (power × time)
-- Integers, so totals are exact and independent of summation order on both engines.
-- util_p95 is quantileExact(0.95) (the element at floor(0.95 n) of the sorted values), exact on both.
-- *_sum / *_samples let a reader compose longer windows; avg/min/max/p95 skip NULL readings.
CREATE TABLE IF NOT EXISTS {{database}}.gpu_rollup_1m
(
    window_start DateTime('UTC'),
    cluster String,
    node String,
    gpu_uuid String,
    parent_gpu_uuid String,
    kind String,
    model String,
    samples UInt64,
    covered_ms UInt64,
    util_samples UInt64,
    util_sum Float64,
    util_avg Nullable(Float64),
    util_min Nullable(Float64),
    util_max Nullable(Float64),
    util_p95 Nullable(Float64),
    busy_pct_ms UInt64,
    mem_used_samples UInt64,
    mem_used_sum UInt64,
    mem_used_avg Nullable(Float64),
    mem_used_max Nullable(UInt64),
    mem_total_max Nullable(UInt64),
    power_samples UInt64,
    power_sum Float64,
    power_avg Nullable(Float64),
    power_min Nullable(Float64),
    power_max Nullable(Float64),
    energy_mj UInt64,
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, node, gpu_uuid, window_start)
-- statement
CREATE TABLE IF NOT EXISTS {{database}}.gpu_rollup_1h
(
    window_start DateTime('UTC'),
    cluster String,
    node String,
    gpu_uuid String,
    parent_gpu_uuid String,
    kind String,
    model String,
    samples UInt64,
    covered_ms UInt64,
    util_samples UInt64,
    util_sum Float64,
    util_avg Nullable(Float64),
    util_min Nullable(Float64),
    util_max Nullable(Float64),
    util_p95 Nullable(Float64),
    busy_pct_ms UInt64,
    mem_used_samples UInt64,
    mem_used_sum UInt64,
    mem_used_avg Nullable(Float64),
    mem_used_max Nullable(UInt64),
    mem_total_max Nullable(UInt64),
    power_samples UInt64,
    power_sum Float64,
    power_avg Nullable(Float64),
    power_min Nullable(Float64),
    power_max Nullable(Float64),
    energy_mj UInt64,
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, node, gpu_uuid, window_start)
