-- Alerts raised by the anomaly rules (pipeline/rules): every state of every incident, with evidence.
--
-- An incident is one stretch of one rule's condition on one subject: (fingerprint, active_at_ms),
-- fingerprint = hash of the rule name and the subject labels (the Alertmanager dedup key), active_at_ms
-- = when the condition began (startsAt). Each evaluation that changes the incident (pending → firing →
-- resolved, or fresher evidence) writes a new version; evaluated_at_ms orders versions, and readers take
-- the latest per key (argMax / LIMIT 1 BY), so two pipelines evaluating at once only repeat a version.
-- fired_at_ms / resolved_at_ms are 0 until it fired / resolved. evidence: the rule's named numbers
-- (JSON object, contracts Alert.evidence); evidence_rows: the rows that made it fire (JSON array,
-- capped by the rule). Month partitions of the incident's start (a key column): kept as audit.
CREATE TABLE IF NOT EXISTS {{database}}.alerts
(
    active_date Date,
    fingerprint String,
    active_at_ms UInt64,
    alert_id String,
    rule String,
    rule_kind String,
    severity String,
    state String,
    label_keys Array(String),
    label_values Array(String),
    summary String,
    runbook String,
    fired_at_ms UInt64,
    resolved_at_ms UInt64,
    observed_until_ms UInt64,
    evaluated_at_ms UInt64,
    evidence String,
    evidence_rows String
)
ENGINE = ReplacingMergeTree(evaluated_at_ms)
PARTITION BY toYYYYMM(active_date)
ORDER BY (fingerprint, active_at_ms)
