-- Cost ledger (pipeline/cost): CostLedgerRow (contracts/cost-ledger-row.ts) in snake_case, one row
-- per bucket (one pod's allocation, or idle) per node × GPU model × pricing tier per window.
--
-- Recomputed, never accumulated. One computation of one (cluster, window) writes ALL its rows with
-- version computed_at_ms (the job's clock, strictly later than any earlier computation of that
-- window), THEN one row in cost_ledger_windows naming that version.
--   - ReplacingMergeTree(computed_at_ms) keyed by window + the row identity of the contract
--     (node, gpu_model, pricing_tier, bucket, pod_uid, tenant): merges keep the newest computation.
--   - Reads do not wait for merges (pipeline/store/cost-store.ts): per (cluster, window) they take only
--     the rows of the latest version registered in cost_ledger_windows, and collapse identical copies
--     of a row (a retried insert) by GROUP BY the key. So a recomputation never double counts; rows
--     an older computation had and the new one has not (a tenant mapping changed, a late pod event
--     moved a pod) never reappear; a computation that died half-way (no window row) is invisible.
-- Month partitions of the window start: retention drops whole months (the ledger keeps ≥ 1 year).
-- Labels as parallel arrays (18.16 has no Map).
CREATE TABLE IF NOT EXISTS {{database}}.cost_ledger
(
    window_start DateTime('UTC'),
    window_start_ms UInt64,
    window_end_ms UInt64,
    cluster String,
    node String,
    gpu_model String,
    pricing_tier String,
    bucket String,
    namespace String,
    pod String,
    pod_uid String,
    tenant String,
    team String,
    workload String,
    model String,
    label_keys Array(String),
    label_values Array(String),
    allocated_gpu_seconds Float64,
    used_gpu_seconds Float64,
    price_usd_per_gpu_hour Float64,
    cost_usd Float64,
    waste_usd Float64,
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, window_start_ms, window_end_ms, node, gpu_model, pricing_tier, bucket, pod_uid, tenant)
-- statement
-- One row per computation of one (cluster, window), written after its ledger rows: the latest
-- version per key is the computation reads use. fleet_cost_usd = Σ over the cluster's priced nodes of
-- GPUs × price × time (the ledger's rows sum to it); problems: what the computation could not bill.
CREATE TABLE IF NOT EXISTS {{database}}.cost_ledger_windows
(
    window_start DateTime('UTC'),
    window_start_ms UInt64,
    window_end_ms UInt64,
    cluster String,
    row_count UInt32,
    fleet_cost_usd Float64,
    problems Array(String),
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, window_start_ms, window_end_ms)
