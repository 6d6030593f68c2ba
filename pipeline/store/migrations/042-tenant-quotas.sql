-- GPU quotas per tenant (quota-store.ts), exact to one thousandth of a GPU (12.5 GPUs = 12500,
-- 350 milli = 35 % of one GPU), CPU in millicores and memory in bytes. gpu_model '' = all models.
-- A change is a new row with a later updated_at_ms; deleted = 1 removes the quota. Reads take the
-- latest row per (tenant, gpu_model). Not partitioned: never dropped by retention.
CREATE TABLE IF NOT EXISTS {{database}}.tenant_quotas
(
    tenant String,
    gpu_model String,
    gpu_milli UInt64,
    cpu_millicores UInt64,
    memory_bytes UInt64,
    updated_at_ms UInt64,
    updated_by String,
    deleted UInt8
)
ENGINE = ReplacingMergeTree(updated_at_ms)
ORDER BY (tenant, gpu_model)
