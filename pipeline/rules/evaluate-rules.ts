/**
 * Runs the configured rules over one set of inputs (pure): `prepareRules` indexes the inputs once
 * per rule, then each instant costs an evaluation per rule. `replayRules` steps the alert lifecycle
 * through a list of evaluation times (the pipeline's schedule, or every data timestamp): what
 * `gpu-ledger rules check` and the demo print.
 */
import { AlertState, type AlertRecord } from './alert-record.ts';
import { stepRule, type RuleSpec } from './alert-lifecycle.ts';
import type { RuleCondition } from './rule.ts';
import type { RuleInputs } from './rule-inputs.ts';
import type { RulesConfig } from './rules-config.ts';

export interface RuleConditions {
  readonly spec: RuleSpec;
  readonly conditions: readonly RuleCondition[];
}

export function prepareRules(config: RulesConfig, inputs: RuleInputs): (atMs: number) => RuleConditions[] {
  const prepared = config.rules.map((r) => ({ spec: r.spec, at: r.rule.prepare(inputs, r.params) }));
  return (atMs) => prepared.map((p) => ({ spec: p.spec, conditions: p.at(atMs) }));
}

/** How far back the inputs must reach for one evaluation of every configured rule. */
export function rulesLookbackMs(config: RulesConfig): number {
  return Math.max(0, ...config.rules.map((r) => r.rule.lookbackMs(r.params, r.spec.forMs)));
}

export interface ReplayResult {
  /** Every notification in order: an incident firing, or resolving after it fired. */
  readonly notifications: readonly AlertRecord[];
  /** Incidents still open (pending or firing) at the end. */
  readonly open: readonly AlertRecord[];
}

/** fromMs, fromMs + stepMs, … up to toMs (inclusive): a pipeline's evaluation times. */
export function everyStep(range: {
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepMs: number;
}): number[] {
  if (!(range.stepMs > 0)) throw new RangeError(`replay step must be positive, got ${range.stepMs}`);
  const out: number[] = [];
  for (let t = range.fromMs; t <= range.toMs; t += range.stepMs) out.push(t);
  return out;
}

/**
 * Evaluates at each instant (ascending), carrying the open incidents along. Conditions change only
 * when data arrives, so evaluating at every data timestamp (rules check) finds every firing exactly.
 */
export function replayRules(config: RulesConfig, inputs: RuleInputs, instants: readonly number[]): ReplayResult {
  const evaluate = prepareRules(config, inputs);
  const open = new Map<string, AlertRecord[]>(config.rules.map((r) => [r.spec.name, []]));
  const notifications: AlertRecord[] = [];
  for (const t of instants) {
    for (const { spec, conditions } of evaluate(t)) {
      const before = open.get(spec.name) ?? [];
      // refreshMs 0: every open incident is rewritten, so the next step sees its newest evidence.
      const step = stepRule(spec, before, conditions, t, 0);
      notifications.push(...step.notifications);
      const next = new Map(before.map((a) => [a.fingerprint, a]));
      for (const w of step.writes) {
        if (w.state === AlertState.resolved) next.delete(w.fingerprint);
        else next.set(w.fingerprint, w);
      }
      open.set(spec.name, [...next.values()]);
    }
  }
  return { notifications, open: [...open.values()].flat() };
}
