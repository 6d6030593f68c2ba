-- Audit log of every API request, reads included (api/audit, audit-store.ts): who (principal, its
-- kind and role, its tenant/team/namespace scope), what (method, route, filters as JSON), the
-- outcome (status, rows returned) and when (ts_ms, duration).
-- Month partitions of the request time: retention (pipeline/retention) drops a month only once the
-- whole month is older than the audit age (13 months by default, at least a year), never before.
-- request_id identifies a record: a flush retried after a store hiccup writes identical rows, which
-- collapse (ReplacingMergeTree on the sorting key; reads collapse them themselves, LIMIT 1 BY).
CREATE TABLE IF NOT EXISTS {{database}}.audit_log
(
    ts DateTime('UTC'),
    ts_ms UInt64,
    request_id String,
    principal String,
    principal_kind String,
    role String,
    tenant String,
    team String,
    namespace String,
    method String,
    route String,
    path String,
    filters String,
    rows UInt32,
    status UInt16,
    duration_ms Float64,
    client_ip String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts_ms, request_id)
