/**
 * The alerting half of the pipeline as scheduled jobs: the rule job (evaluates the rules every
 * `rulesIntervalMs`, queues notifications) and the delivery job (drains the outbox every
 * `deliveryIntervalMs`, and at once after the rule job queued something). pipeline/runtime.ts adds
 * them to its schedule; `gpu-ledger pipeline` and embedded mode run the same.
 */
import type { Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { JobSchedule } from '../jobs/job-scheduler.ts';
import type { DevicePricing } from '../rules/build-device-inputs.ts';
import { createRuleJob, DEFAULT_RULE_JOB_OPTIONS, type RuleJobOptions } from '../rules/rule-job.ts';
import type { RulesConfig } from '../rules/rules-config.ts';
import {
  createAlertMetrics,
  createAlertTotals,
  fanOutAlerts,
  type AlertObserver,
  type AlertTotals,
} from '../self-metrics/alert-metrics.ts';
import type { SqlExecutor } from '../store/executor.ts';
import { createDeliveryJob, DEFAULT_DELIVERY_CONFIG, type DeliveryJobConfig } from './delivery-job.ts';
import type { AlertReceiver } from './receiver.ts';

export interface AlertingConfig {
  readonly rules: RulesConfig;
  readonly rulesIntervalMs: number;
  readonly deliveryIntervalMs: number;
  readonly receivers: readonly AlertReceiver[];
  /** Prices idle time and budgets (the price catalog and cost config); null: no $ and no budget alerts. */
  readonly pricing: DevicePricing | null;
  readonly ruleJob?: Partial<RuleJobOptions>;
  readonly delivery?: Partial<DeliveryJobConfig>;
}

export interface AlertingDeps {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly now: () => number;
  readonly logger: Logger;
  readonly meter?: Meter;
  /** Also told what the metrics are told (tests, the bench). */
  readonly observer?: AlertObserver;
}

export interface AlertingJobs {
  readonly schedules: readonly JobSchedule[];
  readonly totals: AlertTotals;
  /** Waits for a delivery started by the rule job (the scheduler waits for its own runs). */
  close(): Promise<void>;
}

export function createAlertingJobs(deps: AlertingDeps, config: AlertingConfig): AlertingJobs {
  const counts = createAlertTotals();
  const observer = fanOutAlerts([
    counts,
    ...(deps.meter ? [createAlertMetrics(deps.meter)] : []),
    ...(deps.observer ? [deps.observer] : []),
  ]);
  const logger = deps.logger.child({ component: 'alerts' });
  const { executor, database, now } = deps;
  const delivery = createDeliveryJob(
    { executor, database, now, random: Math.random, logger, observer },
    config.receivers,
    { ...DEFAULT_DELIVERY_CONFIG, ...config.delivery },
  );
  const rules = createRuleJob(
    {
      executor,
      database,
      now,
      logger,
      observer,
      pricing: config.pricing,
      receivers: config.receivers.map((r) => r.name),
      notified: () => delivery.kick(),
    },
    config.rules,
    { ...DEFAULT_RULE_JOB_OPTIONS, ...config.ruleJob },
  );
  return {
    schedules: [
      { job: rules, intervalMs: config.rulesIntervalMs },
      { job: delivery, intervalMs: config.deliveryIntervalMs },
    ],
    totals: counts.totals,
    close: () => delivery.idle(),
  };
}
