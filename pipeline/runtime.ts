import type { Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { RecordBus } from '../contracts/index.ts';
import { DeadlineError, withDeadline } from '../contracts/with-deadline.ts';
import { createAlertingJobs, type AlertingConfig, type AlertingJobs } from './alerts/alerting-jobs.ts';
import { createCostLedgerJob, type CostLedgerJobOptions } from './cost/cost-ledger-job.ts';
import type { PriceCatalog } from './cost/price-catalog.ts';
import { createJobScheduler, type JobSchedule, type JobScheduler } from './jobs/job-scheduler.ts';
import { createRollupJob, DEFAULT_ROLLUP_JOB_CONFIG, type RollupJobConfig } from './jobs/rollup-job.ts';
import { createTelemetryGapJob, DEFAULT_TELEMETRY_GAP_JOB_CONFIG } from './jobs/telemetry-gap-job.ts';
import { createRetentionJob } from './retention/retention-job.ts';
import { DEFAULT_RETENTION, validateRetention, type RetentionPolicy } from './retention/retention-policy.ts';
import type { TelemetryStore } from './store/telemetry-store.ts';
import type { LagProbe } from './self-metrics/kafka-lag-probe.ts';
import { createPipelineMetrics, type PipelineMetrics } from './self-metrics/pipeline-metrics.ts';
import {
  createIngestConsumer,
  DEFAULT_INGEST_CONFIG,
  type IngestConfig,
  type IngestConsumer,
} from './ingest/ingest-consumer.ts';
import { createOptimizerJobs, type OptimizerConfig } from '../scheduler/optimizer-jobs.ts';
import { NOOP_INGEST_OBSERVER, type IngestObserver } from './ingest/ingest-observer.ts';
import { createStoreWriters } from './ingest/store-writers.ts';

/** One observer that tells several. */
function fanOut(observers: readonly IngestObserver[]): IngestObserver {
  return {
    inserted: (e) => observers.forEach((o) => o.inserted(e)),
    stored: (records, nowMs) => observers.forEach((o) => o.stored(records, nowMs)),
    deadLettered: (category, count) => observers.forEach((o) => o.deadLettered(category, count)),
    storeRetry: (topic, error) => observers.forEach((o) => o.storeRetry(topic, error)),
  };
}

export interface PipelineRuntimeConfig {
  readonly groupId: string;
  readonly ingest?: Partial<IngestConfig>;
  /** Rollup recomputation; null turns it off (another pipeline process runs it). */
  readonly rollups?: ({ readonly intervalMs: number } & Partial<Omit<RollupJobConfig, 'database'>>) | null;
  readonly telemetryGaps?: { readonly intervalMs: number } | null;
  readonly retention?: { readonly intervalMs: number; readonly policy?: RetentionPolicy } | null;
  /** The hourly cost ledger (pipeline/cost): computes each closed window; absent or null: not run here. */
  readonly costLedger?: {
    readonly intervalMs: number;
    readonly catalog: PriceCatalog;
    readonly options?: Partial<CostLedgerJobOptions>;
  } | null;
  /** The recommender and the node hints (scheduler/optimizer-jobs.ts); absent or null: not run here. */
  readonly optimizer?: OptimizerConfig | null;
  /** Anomaly rules and alert delivery (pipeline/rules, pipeline/alerts); absent or null: not run here. */
  readonly alerting?: AlertingConfig | null;
}

export const DEFAULT_JOB_INTERVALS_MS = { rollups: 60_000, telemetryGaps: 60_000, retention: 3_600_000 } as const;

export interface PipelineRuntimeDeps {
  readonly bus: RecordBus;
  readonly store: TelemetryStore;
  readonly logger: Logger;
  readonly now: () => number;
  readonly meter?: Meter;
  /** Consumer lag per partition for the metrics (Kafka only). */
  readonly lagProbe?: LagProbe;
  /** Also told everything the metrics are told (the bench measures ingest delay with it). */
  readonly observer?: IngestObserver;
}

export interface PipelineRuntime {
  readonly ingest: IngestConsumer;
  readonly metrics: PipelineMetrics | null;
  /** The rule and delivery jobs, when configured. */
  readonly alerting: AlertingJobs | null;
  start(): Promise<void>;
  /**
   * Stops intake and the jobs, stores what was delivered, commits, leaves the group; bounded by the
   * ingest's closeTimeoutMs (the bus bounds its consumers' stop): a job or a write still running then
   * is abandoned (the jobs are idempotent, the writes uncommitted).
   */
  close(): Promise<void>;
}

/**
 * The ingest pipeline as one object: the consumer group (ingest-consumer.ts) plus the scheduled
 * jobs that keep rollups, telemetry gaps, retention and the cost ledger current, and the self-metrics. The store must
 * be migrated. `gpu-ledger pipeline`, the bench and the fault tests all run this.
 */
export function createPipelineRuntime(deps: PipelineRuntimeDeps, config: PipelineRuntimeConfig): PipelineRuntime {
  const metrics = deps.meter ? createPipelineMetrics(deps.meter, deps.now) : null;
  if (metrics && deps.lagProbe) metrics.watchLag(deps.lagProbe);
  const ingest = createIngestConsumer({
    bus: deps.bus,
    writers: createStoreWriters(deps.store, deps.now),
    logger: deps.logger.child({ component: 'ingest' }),
    now: deps.now,
    observer: fanOut([metrics?.observer ?? NOOP_INGEST_OBSERVER, deps.observer ?? NOOP_INGEST_OBSERVER]),
    ...(config.ingest ? { config: config.ingest } : {}),
  });
  const { executor, database } = deps.store;
  const jobLogger = deps.logger.child({ component: 'jobs' });
  const schedules: JobSchedule[] = [];
  const rollups = config.rollups === undefined ? { intervalMs: DEFAULT_JOB_INTERVALS_MS.rollups } : config.rollups;
  if (rollups) {
    const { intervalMs, ...overrides } = rollups;
    schedules.push({
      intervalMs,
      job: createRollupJob({ executor, now: deps.now }, { ...DEFAULT_ROLLUP_JOB_CONFIG, ...overrides, database }),
    });
  }
  const gaps =
    config.telemetryGaps === undefined ? { intervalMs: DEFAULT_JOB_INTERVALS_MS.telemetryGaps } : config.telemetryGaps;
  if (gaps)
    schedules.push({
      intervalMs: gaps.intervalMs,
      job: createTelemetryGapJob({ executor, now: deps.now }, { ...DEFAULT_TELEMETRY_GAP_JOB_CONFIG, database }),
    });
  const retention =
    config.retention === undefined ? { intervalMs: DEFAULT_JOB_INTERVALS_MS.retention } : config.retention;
  if (retention) {
    const policy = validateRetention(retention.policy ?? DEFAULT_RETENTION);
    schedules.push({
      intervalMs: retention.intervalMs,
      job: createRetentionJob({ executor, now: deps.now, logger: jobLogger }, database, policy),
    });
  }
  if (config.costLedger) {
    const { intervalMs, catalog, options } = config.costLedger;
    schedules.push({
      intervalMs,
      job: createCostLedgerJob(
        { executor, database, catalog, ...(options ? { options } : {}) },
        { now: deps.now, logger: jobLogger },
      ),
    });
  }
  const optimizer = config.optimizer
    ? createOptimizerJobs(
        { executor, database, bus: deps.bus, now: deps.now, logger: jobLogger, groupId: config.groupId },
        config.optimizer,
      )
    : null;
  schedules.push(...(optimizer?.schedules ?? []));
  const alerting = config.alerting
    ? createAlertingJobs(
        { executor, database, now: deps.now, logger: deps.logger, ...(deps.meter ? { meter: deps.meter } : {}) },
        config.alerting,
      )
    : null;
  if (alerting) schedules.push(...alerting.schedules);
  let scheduler: JobScheduler | null = null;

  return {
    ingest,
    metrics,
    alerting,
    async start() {
      await ingest.start({ groupId: config.groupId });
      await optimizer?.start();
      scheduler = createJobScheduler(
        { logger: jobLogger, now: deps.now, ...(metrics ? { onRun: (r) => metrics.jobRan(r) } : {}) },
        schedules,
      );
      scheduler.start();
    },
    async close() {
      const closeMs = config.ingest?.closeTimeoutMs ?? DEFAULT_INGEST_CONFIG.closeTimeoutMs;
      const abandonLate = (what: string, work: Promise<void>) =>
        withDeadline(what, work, closeMs).catch((error: unknown) => {
          if (!(error instanceof DeadlineError)) throw error;
          jobLogger.warn(`${error.message}; abandoned`);
        });
      const jobs = async () => {
        await scheduler?.close();
        scheduler = null;
        await optimizer?.close();
        await alerting?.close();
      };
      await Promise.all([abandonLate('scheduled jobs', jobs()), ingest.close()]);
      if (deps.lagProbe) await abandonLate('Kafka lag probe', deps.lagProbe.close());
    },
  };
}
