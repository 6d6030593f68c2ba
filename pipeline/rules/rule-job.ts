/**
 * The rule job: fetch (fetch-rule-inputs.ts) → evaluate (pure: the rules, then the alert
 * lifecycle) → write (the outbox first, then the alerts' new versions), as pipeline/cost's ledger job.
 *
 * Why the outbox first: if the process dies in between, the next run still sees the old states
 * and raises the same transitions again; their outbox key (receiver, incident start, alert id +
 * state) is the same, so the copy collapses and nothing is sent twice or lost. Open incidents of a
 * rule no longer configured are resolved. Two pipelines running the job at once write the same
 * versions (the job is idempotent up to the evaluation time).
 */
import type { Logger } from 'pino';
import type { ScheduledJob } from '../jobs/scheduled-job.ts';
import type { AlertObserver } from '../self-metrics/alert-metrics.ts';
import { createAlertStore } from '../store/alert-store.ts';
import type { SqlExecutor } from '../store/executor.ts';
import { createOutboxStore, type OutboxEntry } from '../store/outbox-store.ts';
import { stepRule, DEFAULT_REFRESH_MS } from './alert-lifecycle.ts';
import { AlertState, toAlert, type AlertRecord } from './alert-record.ts';
import type { DevicePricing } from './build-device-inputs.ts';
import { prepareRules } from './evaluate-rules.ts';
import { fetchRuleInputs } from './fetch-rule-inputs.ts';
import type { RulesConfig } from './rules-config.ts';

export const RULE_JOB = 'anomaly-rules';

export interface RuleJobDeps {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly now: () => number;
  readonly logger: Logger;
  readonly observer: AlertObserver;
  readonly pricing: DevicePricing | null;
  /** Receiver names each notification is queued for. */
  readonly receivers: readonly string[];
  /** Called after notifications were queued (the delivery job's kick). */
  readonly notified?: () => void;
}

export interface RuleJobOptions {
  /** An open incident is written again at most this often (fresher evidence). */
  readonly refreshMs: number;
  /** Open incidents whose newest version is older than this are not looked at (bounds the scan). */
  readonly openMemoryMs: number;
}

export const DEFAULT_RULE_JOB_OPTIONS: RuleJobOptions = { refreshMs: DEFAULT_REFRESH_MS, openMemoryMs: 7 * 86_400_000 };

/** The outbox entries of notifications, one per receiver; keys are deterministic (see the module note). */
export function toOutboxEntries(notifications: readonly AlertRecord[], receivers: readonly string[]): OutboxEntry[] {
  return notifications.flatMap((a) =>
    receivers.map((receiver) => ({
      receiver,
      createdAtMs: a.activeAtMs,
      notificationId: `${a.alertId}:${a.state}`,
      fingerprint: a.fingerprint,
      state: a.state,
      payload: JSON.stringify(toAlert(a)),
      attempts: 0,
      nextAttemptAtMs: a.evaluatedAtMs,
      deliveredAtMs: 0,
      lastError: '',
      version: 0,
    })),
  );
}

export function createRuleJob(
  deps: RuleJobDeps,
  config: RulesConfig,
  options: RuleJobOptions = DEFAULT_RULE_JOB_OPTIONS,
): ScheduledJob {
  const alerts = createAlertStore(deps.executor, { database: deps.database });
  const outbox = createOutboxStore(deps.executor, { database: deps.database });
  const configured = new Set(config.rules.map((r) => r.spec.name));
  /** Open incidents per rule and state after this run, for the gauge. */
  const reportOpen = (before: readonly AlertRecord[], writes: readonly AlertRecord[]) => {
    const state = new Map(before.map((a) => [`${a.fingerprint}@${a.activeAtMs}`, a]));
    for (const w of writes) state.set(`${w.fingerprint}@${w.activeAtMs}`, w);
    for (const rule of configured)
      for (const st of [AlertState.pending, AlertState.firing])
        deps.observer.open(rule, st, [...state.values()].filter((a) => a.rule === rule && a.state === st).length);
  };
  return {
    name: RULE_JOB,
    async run() {
      const atMs = deps.now();
      const inputs = await fetchRuleInputs(deps, config, atMs);
      const open = await alerts.list({
        states: [AlertState.pending, AlertState.firing],
        sinceMs: atMs - options.openMemoryMs,
      });
      const openByRule = new Map<string, AlertRecord[]>();
      for (const a of open) {
        const list = openByRule.get(a.rule);
        if (list) list.push(a);
        else openByRule.set(a.rule, [a]);
      }

      const writes: AlertRecord[] = [];
      const notifications: AlertRecord[] = [];
      for (const { spec, conditions } of prepareRules(config, inputs)(atMs)) {
        const step = stepRule(spec, openByRule.get(spec.name) ?? [], conditions, atMs, options.refreshMs);
        writes.push(...step.writes);
        notifications.push(...step.notifications);
      }
      for (const [rule, list] of openByRule) {
        if (configured.has(rule)) continue;
        const resolved = list.map((a) => ({
          ...a,
          state: AlertState.resolved,
          resolvedAtMs: atMs,
          evaluatedAtMs: atMs,
        }));
        writes.push(...resolved);
        notifications.push(...resolved.filter((_, i) => list[i]!.state === AlertState.firing));
      }
      await outbox.write(toOutboxEntries(notifications, deps.receivers));
      await alerts.write(writes);
      for (const n of notifications) deps.observer.raised(n.rule, n.state, 1);
      reportOpen(open, writes);
      if (notifications.length > 0) {
        deps.logger.info(
          {
            notifications: notifications
              .map((n) => ({ rule: n.rule, state: n.state, summary: n.summary }))
              .slice(0, 20),
          },
          'alerts raised',
        );
        deps.notified?.();
      }
      const firing = open.filter((a) => a.state === AlertState.firing).length;
      return {
        conditions: writes.length,
        notifications: notifications.length,
        openBefore: open.length,
        firingBefore: firing,
      };
    },
  };
}
