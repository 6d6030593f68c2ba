/**
 * Helpers for rule tests: one configured rule out of a rules document, replays over real captures,
 * and the gentd26 utilization series (read in place from ../shared/traces).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { replayRules } from '../../pipeline/rules/evaluate-rules.ts';
import { EMPTY_RULE_INPUTS, type RuleInputs } from '../../pipeline/rules/rule-inputs.ts';
import { parseRulesConfig, type RulesConfig } from '../../pipeline/rules/rules-config.ts';
import { parsePodSeriesCsv } from '../../sim/pod-series-csv.js';
import { SHARED_DIR } from './fixtures.ts';

/** The rules of a rules document (empty: defaults) reduced to the named ones. */
export function rulesNamed(names: readonly string[], yaml = ''): RulesConfig {
  const all = parseRulesConfig(yaml, 'test rules');
  return { rules: all.rules.filter((r) => names.includes(r.spec.name)) };
}

export const inputs = (parts: Partial<RuleInputs>): RuleInputs => ({ ...EMPTY_RULE_INPUTS, ...parts });

/** Firing notifications of a replay at the given instants. */
export function firingAt(config: RulesConfig, ruleInputs: RuleInputs, instants: readonly number[]) {
  const r = replayRules(config, ruleInputs, instants);
  return { ...r, firing: r.notifications.filter((n) => n.state === 'firing') };
}

let gentd26: Map<string, [number, number][]> | null = null;

/** The real gentd26 per-pod GPU utilization series (percent), by pod key. */
export function gentd26Utilization(): Map<string, [number, number][]> {
  gentd26 ??= parsePodSeriesCsv(
    gunzipSync(readFileSync(join(SHARED_DIR, 'traces/gentd26/pod_gpu_duty_cycle_dev.csv.gz'))).toString('utf8'),
  ).series;
  return gentd26;
}
