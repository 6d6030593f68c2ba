import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/config-error.ts';
import { BUILT_IN_RULES } from './built-in-rules.ts';
import { DEFAULT_RULES_CONFIG, parseRulesConfig } from './rules-config.ts';

const problemsOf = (yaml: string): readonly string[] => {
  try {
    parseRulesConfig(yaml, 'rules.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('rules as data', () => {
  it('runs every built-in rule with its defaults when the file says nothing', () => {
    expect(DEFAULT_RULES_CONFIG.rules.map((r) => [r.spec.name, r.spec.forMs, r.spec.severity])).toEqual([
      ['budget-burn', 0, 'warning'],
      ['cost-spike', 0, 'warning'],
      ['ecc-remap', 0, 'critical'],
      ['idle-allocated', 1_800_000, 'warning'],
      ['memory-near-full', 600_000, 'warning'],
      ['telemetry-gap', 0, 'warning'],
      ['throttle', 300_000, 'warning'],
      ['xid', 0, 'warning'],
    ]);
    expect(DEFAULT_RULES_CONFIG.rules.find((r) => r.spec.name === 'idle-allocated')!.params).toEqual({
      utilizationBelowPct: 5,
      maxGap: 300_000,
    });
    for (const r of Object.values(BUILT_IN_RULES)) expect(r.defaults.runbook.length, r.kind).toBeGreaterThan(80);
  });

  it('overrides defaults, disables rules, and adds instances of a built-in kind with static labels', () => {
    const config = parseRulesConfig(
      `rules:
  throttle: { enabled: false }
  idle-allocated: { for: 45m, severity: critical, params: { utilizationBelowPct: 2 } }
  idle-inference:
    kind: idle-allocated
    for: 10m
    labels: { team: inference }
    runbook: page the inference on-call
`,
      'rules.yaml',
    );
    const byName = new Map(config.rules.map((r) => [r.spec.name, r]));
    expect(byName.has('throttle')).toBe(false);
    expect(byName.get('idle-allocated')).toMatchObject({
      spec: { forMs: 2_700_000, severity: 'critical' },
      params: { utilizationBelowPct: 2, maxGap: 300_000 },
    });
    expect(byName.get('idle-inference')!.spec).toEqual({
      name: 'idle-inference',
      kind: 'idle-allocated',
      forMs: 600_000,
      severity: 'warning',
      runbook: 'page the inference on-call',
      labels: { team: 'inference' },
    });
  });

  it('lists every problem once, with its path', () => {
    expect(
      problemsOf(`rules:
  idle-allocated: { for: soon, params: { utilizationBelowPct: 150, typo: 1 } }
  xid: { severity: page }
  Bad_Name: { kind: nope }
  throttle: { labels: { severity: high, "bad-label": x } }
`),
    ).toEqual([
      "rules.yaml: rules.Bad_Name: a rule name is lower-case letters, digits and '-'",
      'rules.yaml: rules.Bad_Name: unknown rule kind "nope" (built-in: idle-allocated, xid, ecc-remap, throttle, memory-near-full, telemetry-gap, cost-spike, budget-burn; a new instance names one with kind:)',
      'rules.yaml: rules.idle-allocated.for: not a duration: "soon" (use e.g. 250ms, 30s, 15m, 2h, 7d)',
      'rules.yaml: rules.idle-allocated.params.utilizationBelowPct: Too big: expected number to be <=100',
      'rules.yaml: rules.idle-allocated.params: Unrecognized key: "typo"',
      'rules.yaml: rules.throttle.labels.severity: set by the rule, not by configuration',
      'rules.yaml: rules.throttle.labels.bad-label: not a Prometheus label name',
      'rules.yaml: rules.xid.severity: Invalid option: expected one of "info"|"warning"|"critical"',
    ]);
    expect(problemsOf('rules: { throttle: { labels: { severity: high } } }')).toEqual([
      'rules.yaml: rules.throttle.labels.severity: set by the rule, not by configuration',
    ]);
    expect(problemsOf('rules: [1, 2')).toEqual([expect.stringMatching(/^rules.yaml: not valid YAML/) as unknown]);
  });
});
