/**
 * The alert state machine, pure: given one rule's open incidents (pending or firing) and the
 * conditions it found true at `atMs`, the new states to record and the transitions to notify.
 *
 * - A condition on a subject with no open incident opens one at the condition's start.
 * - An open incident continues while its subject's condition holds and began no later than the data
 *   the incident last rested on (or may have begun earlier: `openStart`); otherwise the condition
 *   broke and began again in between: the old incident resolves and a new one opens.
 * - `for:` (Prometheus semantics): firing once observedUntil − start ≥ forMs; until then pending.
 * - An open incident whose condition no longer holds resolves at `atMs` (a pending one silently).
 * - Notify: each incident's move to firing, and a firing incident's move to resolved. Record: every
 *   change, and an open incident again at most every `refreshMs` (fresher evidence, $ burned).
 */
import type { AlertSeverity } from '../../contracts/alert.ts';
import { alertIdOf, AlertState, fingerprintOf, type AlertRecord } from './alert-record.ts';
import type { RuleCondition } from './rule.ts';

/** A configured rule, as the lifecycle needs it. */
export interface RuleSpec {
  /** Unique in the rules file; the alerts' `alertname`. */
  readonly name: string;
  readonly kind: string;
  readonly forMs: number;
  readonly severity: AlertSeverity;
  readonly runbook: string;
  /** Static labels added to every alert of the rule (routing: team, page). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface LifecycleStep {
  /** New versions to record. */
  readonly writes: readonly AlertRecord[];
  /** Incidents that became firing, or resolved after firing: to deliver. */
  readonly notifications: readonly AlertRecord[];
}

export const DEFAULT_REFRESH_MS = 60_000;

const resolve = (a: AlertRecord, atMs: number, evaluatedAtMs: number): AlertRecord => ({
  ...a,
  state: AlertState.resolved,
  resolvedAtMs: Math.max(atMs, a.activeAtMs),
  evaluatedAtMs,
});

export function stepRule(
  rule: RuleSpec,
  open: readonly AlertRecord[],
  conditions: readonly RuleCondition[],
  atMs: number,
  refreshMs = DEFAULT_REFRESH_MS,
): LifecycleStep {
  const writes: AlertRecord[] = [];
  const notifications: AlertRecord[] = [];
  const byFingerprint = new Map(open.map((a) => [a.fingerprint, a]));
  const seen = new Set<string>();
  const close = (prev: AlertRecord, endsAtMs: number) => {
    const resolved = resolve(prev, endsAtMs, atMs);
    writes.push(resolved);
    if (prev.state === AlertState.firing) notifications.push(resolved);
  };

  for (const c of conditions) {
    const severity = c.severity ?? rule.severity;
    const labels = { ...rule.labels, ...c.labels, alertname: rule.name, severity };
    const fingerprint = fingerprintOf(labels);
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    const prev = byFingerprint.get(fingerprint);
    const continuing = prev !== undefined && (c.openStart || c.activeSinceMs <= prev.observedUntilMs);
    if (prev !== undefined && !continuing) close(prev, prev.observedUntilMs);
    // An incident keeps its start (and so its id), as Prometheus keeps an alert's activeAt.
    const activeAtMs = continuing ? prev.activeAtMs : c.activeSinceMs;
    const firing = (continuing && prev.state === AlertState.firing) || c.observedUntilMs - activeAtMs >= rule.forMs;
    const state = firing ? AlertState.firing : AlertState.pending;
    const record: AlertRecord = {
      fingerprint,
      alertId: alertIdOf(fingerprint, activeAtMs),
      rule: rule.name,
      ruleKind: rule.kind,
      severity,
      state,
      labels,
      summary: c.summary,
      runbook: rule.runbook,
      activeAtMs,
      firedAtMs: continuing && prev.firedAtMs !== null ? prev.firedAtMs : firing ? atMs : null,
      resolvedAtMs: null,
      observedUntilMs: c.observedUntilMs,
      evaluatedAtMs: atMs,
      evidence: c.evidence,
      rows: c.rows,
    };
    const changed = !continuing || prev.state !== state;
    if (changed || atMs - prev.evaluatedAtMs >= refreshMs) writes.push(record);
    if (firing && (!continuing || prev.state !== AlertState.firing)) notifications.push(record);
  }
  for (const prev of open) if (!seen.has(prev.fingerprint)) close(prev, atMs);
  return { writes, notifications };
}
