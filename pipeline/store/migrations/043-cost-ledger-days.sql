-- Daily pre-aggregation of the cost ledger (cost-ledger-days.ts), for reads over long ranges (the
-- API's /v1/allocation over 30 days). A cache, never the truth: one refresh of one (cluster, day)
-- writes that day's current ledger rows summed per row key (node, gpu_model, pricing_tier, bucket,
-- pod_uid, tenant) with version computed_at_ms, then one row in cost_ledger_days naming it, with
-- the fingerprint of the ledger it read: how many windows, and the sum of their latest
-- computed_at_ms (a window's recomputation always raises it, a new window adds to it).
-- Readers use a day only while its fingerprint still equals the ledger's (cost_ledger_windows);
-- any other day, and any part of a day, is read from cost_ledger itself. So a late recomputation
-- or a refresh that raced another is never served stale. Month partitions, kept as the ledger.
CREATE TABLE IF NOT EXISTS {{database}}.cost_ledger_daily
(
    day Date,
    cluster String,
    node String,
    gpu_model String,
    pricing_tier String,
    bucket String,
    pod_uid String,
    tenant String,
    namespace String,
    pod String,
    team String,
    workload String,
    model String,
    label_keys Array(String),
    label_values Array(String),
    allocated_gpu_seconds Float64,
    used_gpu_seconds Float64,
    cost_usd Float64,
    waste_usd Float64,
    first_window_start_ms UInt64,
    last_window_end_ms UInt64,
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(day)
ORDER BY (cluster, day, node, gpu_model, pricing_tier, bucket, pod_uid, tenant)
-- statement
CREATE TABLE IF NOT EXISTS {{database}}.cost_ledger_days
(
    day Date,
    cluster String,
    windows UInt32,
    windows_version_sum UInt64,
    row_count UInt32,
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(day)
ORDER BY (cluster, day)
