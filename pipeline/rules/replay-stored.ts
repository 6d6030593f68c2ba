/**
 * The rule job replayed over a stretch of stored telemetry (the demo: what the pipeline would have
 * raised during the replayed hours): one fetch for the whole stretch, then the rules and the alert
 * lifecycle at every `stepMs` as the scheduled job would run them. Nothing is written.
 */
import { everyStep, replayRules, type ReplayResult } from './evaluate-rules.ts';
import { fetchRuleInputs, type FetchRuleInputsDeps } from './fetch-rule-inputs.ts';
import type { RulesConfig } from './rules-config.ts';

export async function replayStoredRules(
  deps: FetchRuleInputsDeps,
  config: RulesConfig,
  range: { readonly fromMs: number; readonly toMs: number; readonly stepMs: number },
): Promise<ReplayResult> {
  const inputs = await fetchRuleInputs(deps, config, range.toMs, range.fromMs);
  return replayRules(config, inputs, everyStep(range));
}
