import type { Meter } from '@opentelemetry/api';
import type { IngestObserver } from '../ingest/ingest-observer.ts';
import type { JobRunReport } from '../jobs/job-scheduler.ts';
import type { LagProbe, PartitionLag } from './kafka-lag-probe.ts';

/** The pipeline's self-metrics: an IngestObserver and job reports in, OpenTelemetry instruments out. */
export interface PipelineMetrics {
  readonly observer: IngestObserver;
  jobRan(report: JobRunReport): void;
  /** Reports consumer lag per partition from the probe at every collection (cached for `minIntervalMs`). */
  watchLag(probe: LagProbe, minIntervalMs?: number): void;
  /** The newest lag read, for /healthz and the bench. */
  readonly lastLag: readonly PartitionLag[];
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const ROWS_BUCKETS = [10, 100, 1_000, 5_000, 10_000, 20_000, 50_000, 100_000, 250_000];

/**
 * Instruments (Prometheus names once exported): insert batch size and latency, rows inserted and
 * rows per second, records stored, ingest delay (store time minus the record's bus timestamp),
 * dead letters by reason, store retries, consumer lag per partition, scheduled job runs.
 */
export function createPipelineMetrics(meter: Meter, now: () => number): PipelineMetrics {
  const insertRows = meter.createHistogram('gpu_ledger_pipeline_insert_rows', {
    description: 'Rows per insert (one insert per topic per flush)',
    advice: { explicitBucketBoundaries: ROWS_BUCKETS },
  });
  const insertSeconds = meter.createHistogram('gpu_ledger_pipeline_insert_duration_seconds', {
    description: 'Latency of one successful insert',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const rowsInserted = meter.createCounter('gpu_ledger_pipeline_rows_inserted', {
    description: 'Rows inserted into the store, all tables',
  });
  const recordsStored = meter.createCounter('gpu_ledger_pipeline_records_stored', {
    description: 'Bus records whose rows the store accepted',
  });
  const ingestDelay = meter.createHistogram('gpu_ledger_pipeline_ingest_delay_seconds', {
    description: 'From a record reaching the bus to its rows being stored',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const deadLetters = meter.createCounter('gpu_ledger_pipeline_dead_letters', {
    description: 'Records sent to the dead-letter topic, by reason category',
  });
  const storeRetries = meter.createCounter('gpu_ledger_pipeline_store_retries', {
    description: 'Store writes retried after a backoff (store down or slow)',
  });
  const jobRuns = meter.createCounter('gpu_ledger_pipeline_job_runs', { description: 'Scheduled job runs by outcome' });
  const jobSeconds = meter.createHistogram('gpu_ledger_pipeline_job_duration_seconds', {
    description: 'Duration of scheduled job runs',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const rowsPerSecond = meter.createObservableGauge('gpu_ledger_pipeline_rows_per_second', {
    description: 'Rows inserted per second since the previous collection',
  });
  const lagGauge = meter.createObservableGauge('gpu_ledger_pipeline_consumer_lag_records', {
    description: 'Records between the committed offset and the log end, per partition',
  });

  let rowsTotal = 0;
  let lastRate = { atMs: now(), rows: 0 };
  rowsPerSecond.addCallback((result) => {
    const at = now();
    const seconds = (at - lastRate.atMs) / 1000;
    if (seconds > 0) result.observe((rowsTotal - lastRate.rows) / seconds);
    lastRate = { atMs: at, rows: rowsTotal };
  });

  let lastLag: readonly PartitionLag[] = [];
  return {
    observer: {
      inserted({ topic, rows, durationMs }) {
        rowsTotal += rows;
        insertRows.record(rows, { topic });
        insertSeconds.record(durationMs / 1000, { topic });
        rowsInserted.add(rows, { topic });
      },
      stored(records, nowMs) {
        if (records.length === 0) return;
        recordsStored.add(records.length, { topic: records[0]?.topic ?? '' });
        for (const r of records) ingestDelay.record(Math.max(0, nowMs - r.timestampMs) / 1000);
      },
      deadLettered: (reason, count) => deadLetters.add(count, { reason }),
      storeRetry: (topic) => storeRetries.add(1, { topic }),
    },
    jobRan(report) {
      jobRuns.add(1, { job: report.job, outcome: report.ok ? 'ok' : 'failed' });
      jobSeconds.record(report.durationMs / 1000, { job: report.job });
    },
    watchLag(probe, minIntervalMs = 1000) {
      let readAt = 0;
      lagGauge.addCallback(async (result) => {
        if (now() - readAt >= minIntervalMs) {
          readAt = now();
          lastLag = await probe.read().catch(() => lastLag);
        }
        for (const l of lastLag) result.observe(l.lagRecords, { topic: l.topic, partition: String(l.partition) });
      });
    },
    get lastLag() {
      return lastLag;
    },
  };
}
