-- Views for readers outside the store's TypeScript (Grafana dashboards on the ClickHouse datasource):
-- the same reading rules as pipeline/store/cost-store.ts, in SQL, so a panel cannot double count.
--
-- cost_ledger_current: the cost ledger as cost-store.ts reads it. Per (cluster, window) only the rows
-- of the latest computation registered in cost_ledger_windows (a recomputation replaces, a half-written
-- one is invisible), identical copies of a row (a retried insert) collapsed by GROUP BY the row key.
-- Non-key columns are prefixed r_ inside (18.16 substitutes same-named aliases into aggregates) and
-- renamed outside. window_start is kept for $__timeFilter.
CREATE VIEW IF NOT EXISTS {{database}}.cost_ledger_current AS
SELECT
    window_start, window_start_ms, window_end_ms, cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant,
    r_namespace AS namespace, r_pod AS pod, r_team AS team, r_workload AS workload, r_model AS model,
    r_label_keys AS label_keys, r_label_values AS label_values,
    r_alloc AS allocated_gpu_seconds, r_used AS used_gpu_seconds, r_price AS price_usd_per_gpu_hour,
    r_cost AS cost_usd, r_waste AS waste_usd
FROM
(
    SELECT
        window_start, window_start_ms, window_end_ms, cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant,
        any(namespace) AS r_namespace, any(pod) AS r_pod, any(team) AS r_team, any(workload) AS r_workload,
        any(model) AS r_model, any(label_keys) AS r_label_keys, any(label_values) AS r_label_values,
        any(allocated_gpu_seconds) AS r_alloc, any(used_gpu_seconds) AS r_used,
        any(price_usd_per_gpu_hour) AS r_price, any(cost_usd) AS r_cost, any(waste_usd) AS r_waste
    FROM {{database}}.cost_ledger
    WHERE (cluster, window_start_ms, window_end_ms, computed_at_ms) IN
    (
        SELECT cluster, window_start_ms, window_end_ms, max(computed_at_ms)
        FROM {{database}}.cost_ledger_windows
        GROUP BY cluster, window_start_ms, window_end_ms
    )
    GROUP BY window_start, window_start_ms, window_end_ms, cluster, node, gpu_model, pricing_tier, bucket, pod_uid, tenant
)
