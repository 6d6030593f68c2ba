/**
 * The shape of an anomaly rule: a stable kind id, a params schema with defaults, and a pure
 * evaluation. Built-in kinds are registered in one plain map (built-in-rules.ts); rules files
 * (rules-config.ts) configure instances of them.
 *
 * Evaluation is split in two so that a replay (rules check, the demo) pays the preparation once:
 * `prepare(inputs, params)` indexes the inputs, and the function it returns gives the conditions that
 * hold at an instant, from the data stamped at or before it. No clock, no I/O.
 */
import type { z } from 'zod';
import type { AlertSeverity } from '../../contracts/alert.ts';
import type { RuleInputs } from './rule-inputs.ts';

/** What a rule found true about one subject at one evaluation. */
export interface RuleCondition {
  /** The subject (cluster, node, gpu, pod, tenant, …): with the rule name, it makes the alert's fingerprint. */
  readonly labels: Readonly<Record<string, string>>;
  /** When the condition began to hold (the first sample of the stretch, the Xid's time). */
  readonly activeSinceMs: number;
  /**
   * True when the condition may have held before `activeSinceMs` (the stretch reaches back to the
   * start of the data, or the rule cannot date the start): an incident already open continues.
   */
  readonly openStart: boolean;
  /** The newest data the condition rests on. `for:` is met once observedUntilMs − start ≥ for. */
  readonly observedUntilMs: number;
  /** Overrides the rule's severity for this subject (Xid codes have their own). */
  readonly severity?: AlertSeverity;
  /** One line for humans. */
  readonly summary: string;
  /** Named numbers (units in the key) and short strings. */
  readonly evidence: Readonly<Record<string, number | string>>;
  /** The rows that made it hold (capped by the rule). */
  readonly rows: readonly Readonly<Record<string, number | string | boolean | null>>[];
}

/** Defaults of a rule kind; a rules file may override each. */
export interface RuleDefaults {
  readonly forMs: number;
  readonly severity: AlertSeverity;
  readonly runbook: string;
}

export interface RuleKind<P = unknown> {
  readonly kind: string;
  readonly description: string;
  readonly defaults: RuleDefaults;
  /** Parses the `params` of a rules file entry (durations as `5m`), filling defaults; strict. */
  readonly params: z.ZodType<P, unknown>;
  /** How far back the inputs must reach for one evaluation (the fetch window). */
  lookbackMs(params: P, forMs: number): number;
  prepare(inputs: RuleInputs, params: P): (atMs: number) => readonly RuleCondition[];
}

/** Most evidence rows a rule attaches to one alert (the newest ones). */
export const MAX_EVIDENCE_ROWS = 50;

/** The last `MAX_EVIDENCE_ROWS` of `rows`. */
export const newestRows = <T>(rows: readonly T[]): T[] => rows.slice(Math.max(0, rows.length - MAX_EVIDENCE_ROWS));

/** `2026-11-25T12:00:00.000Z` for summaries and evidence. */
export const iso = (ms: number): string => new Date(ms).toISOString();
