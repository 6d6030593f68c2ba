/**
 * The optimizer's scheduled jobs for the pipeline (pipeline/runtime.ts): the recommender (hourly by
 * default) and the node hints (every minute), plus the alert subscription the hints read. Run them in
 * one pipeline process (`--recommend-interval off --hints-interval off` on the others): two
 * recommenders at once could open one recommendation twice.
 */
import type { Logger } from 'pino';
import type { RecordBus } from '../contracts/bus.ts';
import type { CostConfig } from '../pipeline/cost/cost-config.ts';
import type { PriceCatalog } from '../pipeline/cost/price-catalog.ts';
import type { JobSchedule } from '../pipeline/jobs/job-scheduler.ts';
import type { SqlExecutor } from '../pipeline/store/executor.ts';
import { createActiveAlerts, type ActiveAlerts } from './hints/active-alerts.ts';
import { createNodeHintsJob } from './hints/node-hints-job.ts';
import type { RecommenderConfig } from './recommender/recommender-config.ts';
import { createRecommenderJob } from './recommender/recommender-job.ts';

export interface OptimizerConfig {
  readonly catalog: PriceCatalog;
  readonly cost?: CostConfig;
  /** Absent or null: not run here. */
  readonly recommender?: { readonly intervalMs: number; readonly config?: Partial<RecommenderConfig> } | null;
  readonly nodeHints?: { readonly intervalMs: number; readonly alertTtlMs?: number } | null;
}

export interface OptimizerJobs {
  readonly schedules: readonly JobSchedule[];
  /** Subscribes to the alerts (before the first hints run). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createOptimizerJobs(
  deps: {
    readonly executor: SqlExecutor;
    readonly database: string;
    readonly bus: RecordBus;
    readonly now: () => number;
    readonly logger: Logger;
    /** The pipeline's consumer group; the alert subscription uses `<groupId>-node-hints`. */
    readonly groupId: string;
  },
  config: OptimizerConfig,
): OptimizerJobs {
  const { executor, database, now, logger } = deps;
  const schedules: JobSchedule[] = [];
  let alerts: ActiveAlerts | null = null;
  if (config.recommender) {
    const job = createRecommenderJob(
      {
        executor,
        database,
        catalog: config.catalog,
        ...(config.cost ? { cost: config.cost } : {}),
        ...(config.recommender.config ? { config: config.recommender.config } : {}),
      },
      { now, logger },
    );
    schedules.push({ intervalMs: config.recommender.intervalMs, job });
  }
  if (config.nodeHints) {
    const { intervalMs, alertTtlMs } = config.nodeHints;
    alerts = createActiveAlerts(
      { bus: deps.bus, now, logger },
      { groupId: `${deps.groupId}-node-hints`, ttlMs: alertTtlMs ?? 15 * 60_000 },
    );
    const job = createNodeHintsJob(
      {
        executor,
        database,
        bus: deps.bus,
        catalog: config.catalog,
        ...(config.cost ? { cost: config.cost } : {}),
        alerts,
        intervalMs,
      },
      { now, logger },
    );
    schedules.push({ intervalMs, job });
  }
  return {
    schedules,
    start: async () => alerts?.start(),
    close: async () => alerts?.close(),
  };
}
