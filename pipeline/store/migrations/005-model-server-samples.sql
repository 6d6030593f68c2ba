-- Model-server counters per scrape window (deltas, so sums over windows are totals).
-- Identity: one agent's scrape of one server/model/pod at one instant,
-- (cluster, node, server, model, pod_uid, observed_at_ms, agent_id); a replay collapses.
-- pod_uid is '' when unknown (key columns cannot be Nullable on 18.16).
CREATE TABLE IF NOT EXISTS {{database}}.model_server_samples
(
    ts DateTime('UTC'),
    observed_at_ms UInt64,
    date Date,
    agent_id String,
    cluster String,
    node String,
    server String,
    model String,
    pod_uid String,
    window_ms UInt32,
    requests_delta UInt64,
    prompt_tokens_delta UInt64,
    generation_tokens_delta UInt64,
    latency_ms_sum Float64,
    latency_count UInt64,
    queue_depth Nullable(Float64),
    kv_cache_usage_pct Nullable(Float64),
    ingested_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(date)
ORDER BY (cluster, node, server, model, pod_uid, observed_at_ms, agent_id)
