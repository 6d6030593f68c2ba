/**
 * One incident of one rule on one subject, as the store keeps it (alert-store.ts) and the receivers
 * get it (as a contracts Alert, toAlert). Lifecycle: pending (condition true, `for:` not met yet) →
 * firing → resolved; a pending incident whose condition clears is resolved without ever firing (and
 * nobody is told).
 */
import { createHash } from 'node:crypto';
import type { Alert, AlertSeverity } from '../../contracts/alert.ts';

export const AlertState = { pending: 'pending', firing: 'firing', resolved: 'resolved' } as const;
export type AlertState = (typeof AlertState)[keyof typeof AlertState];

export interface AlertRecord {
  /** Hash of the labels (alertname included): one subject of one rule, Alertmanager's dedup key. */
  readonly fingerprint: string;
  /** Hash of fingerprint and activeAtMs: this incident (contracts Alert.id). */
  readonly alertId: string;
  /** The rule's name (label `alertname`). */
  readonly rule: string;
  readonly ruleKind: string;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly runbook: string;
  /** When the condition began (startsAt). */
  readonly activeAtMs: number;
  /** When an evaluation first found it firing; null while pending (and for one that never fired). */
  readonly firedAtMs: number | null;
  readonly resolvedAtMs: number | null;
  /** The newest data the condition rested on. */
  readonly observedUntilMs: number;
  /** The evaluation that wrote this version. */
  readonly evaluatedAtMs: number;
  readonly evidence: Readonly<Record<string, number | string>>;
  /** The rows that made it fire (capped). */
  readonly rows: readonly Readonly<Record<string, number | string | boolean | null>>[];
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Stable hash of a label set (order-independent). */
export function fingerprintOf(labels: Readonly<Record<string, string>>): string {
  return sha(JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export const alertIdOf = (fingerprint: string, activeAtMs: number): string => sha(`${fingerprint}@${activeAtMs}`);

/** The incident as a contracts Alert (what the receivers and the alerts topic carry). Not for pending ones. */
export function toAlert(a: AlertRecord): Alert {
  return {
    schemaVersion: 1,
    id: a.alertId,
    ruleId: a.rule,
    severity: a.severity,
    status: a.state === AlertState.resolved ? 'resolved' : 'firing',
    labels: a.labels,
    summary: a.summary,
    runbook: a.runbook,
    startsAtMs: a.activeAtMs,
    endsAtMs: a.state === AlertState.resolved ? Math.max(a.resolvedAtMs ?? a.activeAtMs, a.activeAtMs) : null,
    evidence: a.evidence,
  };
}
