-- Optimization recommendations (scheduler/recommender, contracts/recommendation.ts) and their lifecycle.
--
-- recommendations: one version per recommender run that found the recommendation (its numbers move
-- with the data); the latest computed_at_ms per (cluster, id) is the content. Written only by the
-- recommender job. Shapes and evidence are the contract's JSON (decoded on read).
-- recommendation_status: every status change, appended by whoever made it (the job: open, expired,
-- realised and realised $ re-measured; the CLI: accepted, dismissed with reason). The latest at_ms is
-- the status, the history is the audit of adoption. Two tables so that a user's decision and a
-- recommender run that updates the numbers at the same moment never overwrite each other.
-- A retried insert repeats the same key and collapses. Not partitioned: small, and kept for good
-- (adoption is measured over the whole history); retention does not name these tables.
CREATE TABLE IF NOT EXISTS {{database}}.recommendations
(
    cluster String,
    id String,
    kind String,
    node Nullable(String),
    namespace Nullable(String),
    workload Nullable(String),
    pod Nullable(String),
    tenant Nullable(String),
    current_shape String,
    recommended_shape String,
    evidence String,
    estimated_monthly_saving_usd Float64,
    confidence Float64,
    risk_note String,
    created_at_ms UInt64,
    computed_at_ms UInt64
)
ENGINE = ReplacingMergeTree(computed_at_ms)
ORDER BY (cluster, id)
-- statement
CREATE TABLE IF NOT EXISTS {{database}}.recommendation_status
(
    cluster String,
    id String,
    at_ms UInt64,
    status String,
    reason Nullable(String),
    actor String,
    realised_monthly_saving_usd Nullable(Float64)
)
ENGINE = ReplacingMergeTree()
ORDER BY (cluster, id, at_ms, status)
