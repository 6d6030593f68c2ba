/** The built-in rule kinds, one per file, in one plain map (kind id → rule). */
import { budgetBurnRule } from './budget-burn.ts';
import { costSpikeRule } from './cost-spike.ts';
import { eccRemapRule } from './ecc-remap.ts';
import { idleAllocatedRule } from './idle-allocated.ts';
import { memoryNearFullRule } from './memory-near-full.ts';
import type { RuleKind } from './rule.ts';
import { telemetryGapRule } from './telemetry-gap.ts';
import { throttleRule } from './throttle.ts';
import { xidRule } from './xid.ts';

export const BUILT_IN_RULES: Readonly<Record<string, RuleKind<never>>> = Object.fromEntries(
  [
    idleAllocatedRule,
    xidRule,
    eccRemapRule,
    throttleRule,
    memoryNearFullRule,
    telemetryGapRule,
    costSpikeRule,
    budgetBurnRule,
  ].map((r) => [r.kind, r as unknown as RuleKind<never>]),
);
