-- Alert notifications waiting for their receivers (pipeline/alerts): the outbox that keeps a
-- notification while Alertmanager or a webhook is down, slow or refusing.
--
-- One notification = one transition (firing or resolved) of one incident for one receiver:
-- (receiver, created_at_ms, notification_id), notification_id = alert id + state, so a rule job that
-- computes the same transition twice writes the same key. Every delivery attempt writes a new
-- version (attempts, next_attempt_at_ms, delivered_at_ms, last_error); readers take the latest
-- (argMax by version). delivered_at_ms = 0: still to deliver. The month partition derives from
-- created_at_ms (a key column); the payload is the contracts Alert as JSON.
CREATE TABLE IF NOT EXISTS {{database}}.alert_outbox
(
    created_date Date,
    receiver String,
    created_at_ms UInt64,
    notification_id String,
    fingerprint String,
    state String,
    payload String,
    attempts UInt32,
    next_attempt_at_ms UInt64,
    delivered_at_ms UInt64,
    last_error String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(created_date)
ORDER BY (receiver, created_at_ms, notification_id)
