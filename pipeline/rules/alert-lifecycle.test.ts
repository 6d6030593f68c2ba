import { describe, expect, it } from 'vitest';
import { stepRule, type RuleSpec } from './alert-lifecycle.ts';
import { AlertState, fingerprintOf, type AlertRecord } from './alert-record.ts';
import type { RuleCondition } from './rule.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 12);
const RULE: RuleSpec = {
  name: 'idle-allocated',
  kind: 'idle-allocated',
  forMs: 30 * MIN,
  severity: 'warning',
  runbook: 'reclaim it',
  labels: { team: 'platform' },
};
const cond = (startMin: number, untilMin: number, o: Partial<RuleCondition> = {}): RuleCondition => ({
  labels: { pod: 'ml/train-0', gpu: 'GPU-1' },
  activeSinceMs: T0 + startMin * MIN,
  openStart: false,
  observedUntilMs: T0 + untilMin * MIN,
  summary: 'idle',
  evidence: { idleMinutes: untilMin - startMin },
  rows: [],
  ...o,
});

/** Runs evaluations in order, carrying the open incidents; returns every step. */
function run(steps: [atMin: number, conditions: RuleCondition[]][]) {
  let open: AlertRecord[] = [];
  return steps.map(([atMin, conditions]) => {
    const step = stepRule(RULE, open, conditions, T0 + atMin * MIN, MIN);
    const byKey = new Map(open.map((a) => [a.fingerprint, a]));
    for (const w of step.writes)
      if (w.state === AlertState.resolved) byKey.delete(w.fingerprint);
      else byKey.set(w.fingerprint, w);
    open = [...byKey.values()];
    return { ...step, open };
  });
}

describe('alert lifecycle (Prometheus for: semantics)', () => {
  it('pending until the condition held for `for:`, then firing once, then resolved once', () => {
    const steps = run([
      [10, [cond(0, 10)]], // held 10 min: pending
      [29, [cond(0, 29)]], // 29 min: still pending (no notification)
      [31, [cond(0, 30)]], // the newest sample is minute 30: for met exactly → firing
      [32, [cond(0, 31)]], // still firing: no new notification
      [40, []], // condition gone → resolved
    ]);
    expect(steps.map((s) => s.open.map((a) => a.state))).toEqual([
      ['pending'],
      ['pending'],
      ['firing'],
      ['firing'],
      [],
    ]);
    expect(steps.map((s) => s.notifications.map((n) => n.state))).toEqual([[], [], ['firing'], [], ['resolved']]);
    const firing = steps[2]!.notifications[0]!;
    expect(firing).toMatchObject({
      activeAtMs: T0,
      firedAtMs: T0 + 31 * MIN,
      labels: { alertname: 'idle-allocated', severity: 'warning', team: 'platform', pod: 'ml/train-0', gpu: 'GPU-1' },
    });
    expect(firing.fingerprint).toBe(
      fingerprintOf({
        team: 'platform',
        pod: 'ml/train-0',
        gpu: 'GPU-1',
        alertname: 'idle-allocated',
        severity: 'warning',
      }),
    );
    const resolved = steps[4]!.notifications[0]!;
    expect(resolved).toMatchObject({ alertId: firing.alertId, state: 'resolved', resolvedAtMs: T0 + 40 * MIN });
  });

  it('a pending incident that clears resolves silently; writes only changes and refreshes', () => {
    const steps = run([
      [5, [cond(0, 5)]],
      [5.5, [cond(0, 5.5)]], // < refresh (1 min) after the last write, same state: not written
      [6.5, [cond(0, 6.5)]], // refresh
      [8, []],
    ]);
    expect(steps.map((s) => s.writes.length)).toEqual([1, 0, 1, 1]);
    expect(steps[3]!.writes[0]).toMatchObject({ state: 'resolved', firedAtMs: null });
    expect(steps.flatMap((s) => s.notifications)).toEqual([]);
  });

  it('a condition that broke and began again between evaluations is a new incident', () => {
    const steps = run([
      [31, [cond(0, 31)]], // firing
      [50, [cond(45, 50)]], // began at 45, after the 31 the incident rested on: the old one ended
    ]);
    expect(steps[1]!.notifications.map((n) => [n.state, n.activeAtMs])).toEqual([['resolved', T0]]);
    expect(steps[1]!.open).toMatchObject([{ state: 'pending', activeAtMs: T0 + 45 * MIN, firedAtMs: null }]);
    expect(steps[1]!.writes.map((w) => w.state)).toEqual(['resolved', 'pending']);
  });

  it('keeps the start of an incident whose stretch reaches back past the data (openStart)', () => {
    const steps = run([
      [31, [cond(0, 31)]],
      // a later fetch sees the stretch from its lookback start only
      [70, [cond(35, 70, { openStart: true })]],
    ]);
    expect(steps[1]!.open).toMatchObject([{ state: 'firing', activeAtMs: T0, firedAtMs: T0 + 31 * MIN }]);
    expect(steps[1]!.notifications).toEqual([]);
  });

  it('for: 0 fires on the first evaluation; a severity from the condition is a label', () => {
    const rule = { ...RULE, name: 'xid', forMs: 0 };
    const step = stepRule(rule, [], [cond(0, 0, { severity: 'critical', labels: { gpu: 'GPU-1', xid: '79' } })], T0);
    expect(step.notifications).toMatchObject([
      { state: 'firing', severity: 'critical', labels: { severity: 'critical', xid: '79' }, firedAtMs: T0 },
    ]);
  });
});
