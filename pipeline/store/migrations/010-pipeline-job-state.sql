-- Progress of the pipeline's scheduled jobs (rollups, telemetry gaps), one row per job, versioned by
-- updated_at_ms; read with argMax. watermark_ms: change marks older than this (minus the job's
-- overlap) were handled. closed_before_ms: windows ending at or before this were closed and computed.
-- Two pipeline processes running a job at once only repeat idempotent work. Not partitioned: tiny,
-- and never dropped by retention.
CREATE TABLE IF NOT EXISTS {{database}}.pipeline_job_state
(
    job String,
    watermark_ms UInt64,
    closed_before_ms UInt64,
    updated_at_ms UInt64
)
ENGINE = ReplacingMergeTree(updated_at_ms)
ORDER BY job
