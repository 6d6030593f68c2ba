import type { Meter } from '@opentelemetry/api';
import { AGENT_METRIC_PREFIX as P, SECONDS_BUCKETS } from '../self-metrics/metric-buckets.ts';

/** What the spool reports about itself; read by the gauges and counters at each scrape. */
export interface SpoolCounts {
  readonly pendingRecords: number;
  readonly pendingBytes: number;
  readonly diskBytes: number;
  readonly maxBytes: number;
  readonly evictedRecords: number;
  readonly replayedRecords: number;
  readonly deliveredRecords: number;
  readonly tornTails: number;
  readonly corruptEntries: number;
}

export interface SpoolMetrics {
  /** One inner-sink send (a Kafka produce): its duration and whether it was acknowledged. */
  sent(topic: string, durationMs: number, ok: boolean): void;
  appended(durationMs: number): void;
  close(): void;
}

/**
 * The spool's instruments. Depths and totals are observed from `counts()` when the reader collects
 * (nothing to keep in step); durations are recorded as they happen.
 */
export function createSpoolMetrics(meter: Meter, counts: () => SpoolCounts): SpoolMetrics {
  const advice = { explicitBucketBoundaries: [...SECONDS_BUCKETS] };
  const send = meter.createHistogram(`${P}send_duration_seconds`, {
    description: 'Duration of one send to Kafka (the inner sink), by topic and outcome',
    unit: 's',
    advice,
  });
  const append = meter.createHistogram(`${P}spool_append_duration_seconds`, {
    description: 'Duration of one spool append, fsync included when the policy is always',
    unit: 's',
    advice,
  });
  const gauges = {
    pendingRecords: meter.createObservableGauge(`${P}spool_depth_records`, {
      description: 'Records in the spool not yet acknowledged by Kafka',
    }),
    pendingBytes: meter.createObservableGauge(`${P}spool_depth_bytes`, {
      description: 'Bytes of the spool entries not yet acknowledged by Kafka',
      unit: 'By',
    }),
    diskBytes: meter.createObservableGauge(`${P}spool_disk_bytes`, {
      description: 'Bytes of all spool segment files',
      unit: 'By',
    }),
    maxBytes: meter.createObservableGauge(`${P}spool_max_bytes`, {
      description: 'The spool bound; past it the oldest entries are evicted',
      unit: 'By',
    }),
  };
  const counters = {
    evictedRecords: meter.createObservableCounter(`${P}spool_evicted_records`, {
      description: 'Records evicted (oldest first) because the spool reached its bound: lost',
    }),
    replayedRecords: meter.createObservableCounter(`${P}spool_replayed_records`, {
      description: 'Records delivered from a backlog: after a failed send, or left by an earlier process',
    }),
    deliveredRecords: meter.createObservableCounter(`${P}spool_delivered_records`, {
      description: 'Records acknowledged by Kafka',
    }),
    tornTails: meter.createObservableCounter(`${P}spool_torn_tails`, {
      description: 'Segment tails found torn at start-up (a crash mid-append) and truncated',
    }),
    corruptEntries: meter.createObservableCounter(`${P}spool_corrupt_entries`, {
      description: 'Spool entries whose bytes failed their checksum when read back: skipped',
    }),
  };
  const observables = [...Object.values(gauges), ...Object.values(counters)];
  const observe = (result: { observe(o: (typeof observables)[number], v: number): void }) => {
    const c = counts();
    for (const [k, o] of [...Object.entries(gauges), ...Object.entries(counters)])
      result.observe(o, c[k as keyof SpoolCounts]);
  };
  meter.addBatchObservableCallback(observe, observables);
  return {
    sent: (topic, durationMs, ok) => send.record(durationMs / 1000, { topic, outcome: ok ? 'ok' : 'error' }),
    appended: (durationMs) => append.record(durationMs / 1000),
    close: () => meter.removeBatchObservableCallback(observe, observables),
  };
}
