-- Budgets (pipeline/budgets): one per scope (tenant, team or namespace), versioned by updated_at_ms;
-- the latest version per budget_id wins (argMax), `deleted` = 1 removes it. Tiny, not partitioned.
CREATE TABLE IF NOT EXISTS {{database}}.budgets
(
    budget_id String,
    scope_kind String,
    scope_value String,
    period String,
    amount_usd Float64,
    thresholds_pct Array(Float64),
    deleted UInt8,
    updated_at_ms UInt64,
    updated_by String
)
ENGINE = ReplacingMergeTree(updated_at_ms)
ORDER BY budget_id
-- statement
-- Every budget change (set, delete) with who made it and the budget before and after (JSON; '' when
-- none). Identity (budget_id, changed_at_ms, action): a retried insert collapses. Kept as audit.
CREATE TABLE IF NOT EXISTS {{database}}.budget_changes
(
    changed_at DateTime('UTC'),
    changed_at_ms UInt64,
    budget_id String,
    action String,
    actor String,
    before_json String,
    after_json String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(changed_at)
ORDER BY (budget_id, changed_at_ms, action)
