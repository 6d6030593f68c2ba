/** Histogram bucket bounds for durations in seconds: 0.5 ms (a spool append) up to 30 s (a Kafka send retried through an outage). */
export const SECONDS_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Every agent metric name starts with this (the Prometheus exporter adds `_total` to counters). */
export const AGENT_METRIC_PREFIX = 'gpu_ledger_agent_';
