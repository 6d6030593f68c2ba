/**
 * Rules as data: a YAML file configures instances of the built-in rule kinds. Every built-in rule runs
 * with its defaults unless the file says otherwise; an entry with `kind:` adds another instance.
 *
 *   rules:
 *     idle-allocated: { for: 30m, params: { utilizationBelowPct: 5 } }
 *     throttle: { enabled: false }
 *     idle-allocated-inference:            # a second instance of a built-in kind
 *       kind: idle-allocated
 *       for: 10m
 *       severity: critical
 *       labels: { team: inference }
 *       params: { utilizationBelowPct: 1 }
 *
 * Validated at start-up: one ConfigError lists every problem, with its path.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AlertSeverity } from '../../contracts/alert.ts';
import { ConfigError } from '../../contracts/config-error.ts';
import type { RuleSpec } from './alert-lifecycle.ts';
import { BUILT_IN_RULES } from './built-in-rules.ts';
import { durationSchema } from './params.ts';
import type { RuleKind } from './rule.ts';

/** One configured rule: the lifecycle's spec plus its kind and parsed params. */
export interface ConfiguredRule {
  readonly spec: RuleSpec;
  readonly rule: RuleKind<unknown>;
  readonly params: unknown;
}

export interface RulesConfig {
  readonly rules: readonly ConfiguredRule[];
}

const NAME = /^[a-z][a-z0-9-]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const entrySchema = z.strictObject({
  kind: z.string().optional(),
  enabled: z.boolean().default(true),
  for: durationSchema.optional(),
  severity: z.enum(AlertSeverity).optional(),
  runbook: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  params: z.record(z.string(), z.unknown()).default({}),
});
const fileSchema = z.strictObject({ rules: z.record(z.string(), z.unknown()).default({}) });

const pathOf = (path: readonly PropertyKey[]): string => path.map(String).join('.');
const RESERVED_LABELS = new Set(['alertname', 'severity']);

/** Parses a rules document (empty: every built-in rule with its defaults). Throws ConfigError listing every problem. */
export function parseRulesConfig(yamlText: string, origin: string): RulesConfig {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(yamlText) ?? {};
  } catch (error) {
    throw new ConfigError([`${origin}: not valid YAML: ${(error as Error).message}`]);
  }
  const file = fileSchema.safeParse(doc);
  if (!file.success)
    throw new ConfigError(file.error.issues.map((i) => `${origin}: ${pathOf(i.path) || '(root)'}: ${i.message}`));
  const entries: Record<string, unknown> = { ...file.data.rules };
  for (const kind of Object.keys(BUILT_IN_RULES)) if (!(kind in entries)) entries[kind] = {};

  const rules: ConfiguredRule[] = [];
  for (const [name, raw] of Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const at = `${origin}: rules.${name}`;
    if (!NAME.test(name)) problems.push(`${at}: a rule name is lower-case letters, digits and '-'`);
    const entry = entrySchema.safeParse(raw ?? {});
    if (!entry.success) problems.push(...entry.error.issues.map((i) => `${at}.${pathOf(i.path)}: ${i.message}`));
    const given = (typeof raw === 'object' && raw !== null ? raw : {}) as { kind?: unknown; params?: unknown };
    const kind = typeof given.kind === 'string' ? given.kind : name;
    const rule = BUILT_IN_RULES[kind] as RuleKind<unknown> | undefined;
    if (rule === undefined) {
      problems.push(
        `${at}: unknown rule kind "${kind}" (built-in: ${Object.keys(BUILT_IN_RULES).join(', ')}; a new instance names one with kind:)`,
      );
      continue;
    }
    const params = rule.params.safeParse(given.params ?? {});
    if (!params.success)
      problems.push(
        ...params.error.issues.map((i) => `${at}.params${i.path.length > 0 ? `.${pathOf(i.path)}` : ''}: ${i.message}`),
      );
    if (!entry.success || !params.success) continue;
    const e = entry.data;
    for (const label of Object.keys(e.labels)) {
      if (!LABEL_NAME.test(label)) problems.push(`${at}.labels.${label}: not a Prometheus label name`);
      if (RESERVED_LABELS.has(label)) problems.push(`${at}.labels.${label}: set by the rule, not by configuration`);
    }
    if (!e.enabled) continue;
    rules.push({
      rule,
      params: params.data,
      spec: {
        name,
        kind,
        forMs: e.for ?? rule.defaults.forMs,
        severity: e.severity ?? rule.defaults.severity,
        runbook: e.runbook ?? rule.defaults.runbook,
        labels: e.labels,
      },
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { rules };
}

/** The built-in rules with their defaults. */
export const DEFAULT_RULES_CONFIG: RulesConfig = parseRulesConfig('', 'defaults');

/** Reads the rules file at `path` (null: the defaults); unreadable or invalid is a ConfigError. */
export function loadRulesConfig(path: string | null): RulesConfig {
  if (path === null) return DEFAULT_RULES_CONFIG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: cannot read rules file: ${(error as Error).message}`]);
  }
  return parseRulesConfig(text, path);
}
