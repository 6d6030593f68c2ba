/**
 * The alerts table (migration 031): every version of every incident, with its evidence. Reads take
 * the latest version per incident (fingerprint, active_at_ms) without waiting for merges.
 */
import type { AlertSeverity } from '../../contracts/alert.ts';
import type { AlertRecord, AlertState } from '../rules/alert-record.ts';
import type { SqlExecutor } from './executor.ts';
import { ident, list, raw, sql, str, toUtcDate, uint } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export interface AlertQuery {
  /** Only incidents whose latest state is one of these. */
  readonly states?: readonly AlertState[];
  /** Only incidents that were evaluated at or after this (bounds the scan). */
  readonly sinceMs?: number;
  readonly rule?: string;
  /** Only incidents with each of these labels at this value (a scope: tenant, team, namespace). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly limit?: number;
}

export interface AlertStore {
  write(records: readonly AlertRecord[]): Promise<void>;
  /** Latest version of each incident matching the query, newest start first. */
  list(query: AlertQuery): Promise<AlertRecord[]>;
}

type Raw = Record<string, unknown>;

const toRow = (a: AlertRecord): Record<string, unknown> => {
  const labels = Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return {
    active_date: toUtcDate(a.activeAtMs),
    fingerprint: a.fingerprint,
    active_at_ms: a.activeAtMs,
    alert_id: a.alertId,
    rule: a.rule,
    rule_kind: a.ruleKind,
    severity: a.severity,
    state: a.state,
    label_keys: labels.map(([k]) => k),
    label_values: labels.map(([, v]) => v),
    summary: a.summary,
    runbook: a.runbook,
    fired_at_ms: a.firedAtMs ?? 0,
    resolved_at_ms: a.resolvedAtMs ?? 0,
    observed_until_ms: a.observedUntilMs,
    evaluated_at_ms: a.evaluatedAtMs,
    evidence: JSON.stringify(a.evidence),
    evidence_rows: JSON.stringify(a.rows),
  };
};

const orNull = (v: unknown, what: string): number | null => {
  const n = toSafeNumber(v, what);
  return n === 0 ? null : n;
};

const fromRow = (r: Raw): AlertRecord => {
  const keys = r['label_keys'] as string[];
  const values = r['label_values'] as string[];
  return {
    fingerprint: String(r['fingerprint']),
    alertId: String(r['alert_id']),
    rule: String(r['rule']),
    ruleKind: String(r['rule_kind']),
    severity: String(r['severity']) as AlertSeverity,
    state: String(r['state']) as AlertState,
    labels: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ''])),
    summary: String(r['summary']),
    runbook: String(r['runbook']),
    activeAtMs: toSafeNumber(r['active_at_ms'], 'active_at_ms'),
    firedAtMs: orNull(r['fired_at_ms'], 'fired_at_ms'),
    resolvedAtMs: orNull(r['resolved_at_ms'], 'resolved_at_ms'),
    observedUntilMs: toSafeNumber(r['observed_until_ms'], 'observed_until_ms'),
    evaluatedAtMs: toSafeNumber(r['evaluated_at_ms'], 'evaluated_at_ms'),
    evidence: JSON.parse(String(r['evidence'])) as AlertRecord['evidence'],
    rows: JSON.parse(String(r['evidence_rows'])) as AlertRecord['rows'],
  };
};

export function createAlertStore(executor: SqlExecutor, config: { readonly database: string }): AlertStore {
  const db = ident(config.database);
  return {
    write: (records) => executor.insert(`${config.database}.alerts`, records.map(toRow)),

    async list(q) {
      const since = q.sinceMs === undefined ? raw(sql``) : raw(sql`AND evaluated_at_ms >= ${uint(q.sinceMs)}`);
      const rule = q.rule === undefined ? raw(sql``) : raw(sql`AND rule = ${str(q.rule)}`);
      const labels = Object.entries(q.labels ?? {}).map(([k, v]) =>
        raw(
          sql`AND has(label_keys, ${str(k)}) AND arrayElement(label_values, indexOf(label_keys, ${str(k)})) = ${str(v)}`,
        ),
      );
      const states =
        q.states === undefined || q.states.length === 0
          ? raw(sql``)
          : raw(sql`WHERE state IN ${list(q.states.map((s) => str(s)))}`);
      // The latest version per incident; a version tie (two pipelines, one millisecond) may return either copy.
      const rows = await executor.query<Raw>(sql`
        SELECT * FROM (
          SELECT * FROM ${db}.alerts
          WHERE (fingerprint, active_at_ms) IN (
            SELECT fingerprint, active_at_ms FROM ${db}.alerts WHERE 1 = 1 ${since} ${rule} ${raw(labels.reduce((a, b) => sql`${raw(a)} ${b}`, sql``))} GROUP BY fingerprint, active_at_ms)
          ORDER BY fingerprint, active_at_ms, evaluated_at_ms DESC
          LIMIT 1 BY fingerprint, active_at_ms)
        ${states}
        ORDER BY active_at_ms DESC, fingerprint
        LIMIT ${uint(q.limit ?? 10_000)}`);
      return rows.map(fromRow);
    },
  };
}
