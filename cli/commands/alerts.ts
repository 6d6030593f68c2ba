import type { Command } from 'commander';
import { AlertState, type AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { createAlertStore } from '../../pipeline/store/alert-store.ts';
import { createOutboxStore } from '../../pipeline/store/outbox-store.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { withStore } from '../with-store.ts';
import { parseDuration } from '../parse-duration.ts';

const STATES = Object.values(AlertState);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** The subject of an alert: its labels but the rule's own. */
export const subjectOf = (a: AlertRecord): string =>
  Object.entries(a.labels)
    .filter(([k, v]) => k !== 'alertname' && k !== 'severity' && v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** Alerts as a terminal table (the demo prints the same). */
export function formatAlerts(alerts: readonly AlertRecord[]): string {
  return formatTable(
    ['state', 'severity', 'rule', 'since', 'fired', 'resolved', 'summary'],
    alerts.map((a) => [
      a.state,
      a.severity,
      a.rule,
      iso(a.activeAtMs),
      iso(a.firedAtMs),
      iso(a.resolvedAtMs),
      a.summary,
    ]),
  );
}

/** The demo's alert section: counts by rule, then the alerts with the most $ burned first. */
export function printDemoAlerts(alerts: readonly AlertRecord[], shown = 10): void {
  const byRule = new Map<string, number>();
  for (const a of alerts) byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
  const counts = [...byRule].map(([rule, n]) => `${rule} ${n}`).join(', ');
  console.log(
    `alerts: ${alerts.length} fired during the replay (the rules evaluated every minute: ${counts || 'none'})`,
  );
  const burned = (a: AlertRecord) => Number(a.evidence['burnedUsd'] ?? 0);
  const top = [...alerts].sort((a, b) => burned(b) - burned(a) || a.activeAtMs - b.activeAtMs).slice(0, shown);
  const l = (a: AlertRecord) => a.labels;
  console.log(
    formatTable(
      ['rule', 'severity', 'subject', 'tenant', 'since', 'fired', 'state', '$ burned'],
      top.map((a) => [
        a.rule,
        a.severity,
        l(a)['pod'] ? `${l(a)['namespace']}/${l(a)['pod']}` : `${l(a)['gpu'] ?? ''} ${l(a)['node'] ?? ''}`.trim(),
        l(a)['tenant'] ?? null,
        iso(a.activeAtMs),
        iso(a.firedAtMs),
        a.state,
        a.evidence['burnedUsd'] === undefined ? null : burned(a).toFixed(2),
      ]),
    ),
  );
  if (alerts.length > shown)
    console.log(`… ${alerts.length - shown} more (a pipeline records them all: gpu-ledger alerts list)`);
}

/** `gpu-ledger alerts list|outbox`: recorded alerts, and what waits for the receivers. */
export function registerAlertsCommand(program: Command, ctx: CliContext): void {
  const alerts = program.command('alerts').description('alerts raised by the anomaly rules (docs/rules.md)');
  alerts
    .command('list')
    .description('incidents in their latest state, newest first')
    .option('--state <state>', `only ${STATES.join(', ')}`)
    .option('--rule <name>', 'only this rule')
    .option('--since <duration>', 'evaluated within this long (e.g. 24h, 7d)', '7d')
    .option('--json', 'one JSON object per line, with evidence and evidence rows')
    .action(async (o: { state?: string; rule?: string; since: string; json?: boolean }) => {
      if (o.state !== undefined && !(STATES as string[]).includes(o.state))
        throw new Error(`--state must be one of ${STATES.join(', ')}, got "${o.state}"`);
      const sinceMs = Date.now() - parseDuration(o.since);
      const rows = await withStore(ctx, (store) =>
        createAlertStore(store.executor, { database: store.database }).list({
          sinceMs,
          ...(o.state === undefined ? {} : { states: [o.state as AlertState] }),
          ...(o.rule === undefined ? {} : { rule: o.rule }),
        }),
      );
      if (o.json) for (const a of rows) console.log(JSON.stringify(a));
      else console.log(formatAlerts(rows));
    });
  alerts
    .command('outbox')
    .description(
      'per receiver: notifications waiting (the receiver was down, slow or refusing), delivered, failed attempts',
    )
    .option('--since <duration>', 'notifications created within this long', '7d')
    .action(async (o: { since: string }) => {
      const counts = await withStore(ctx, (store) =>
        createOutboxStore(store.executor, { database: store.database }).counts(Date.now() - parseDuration(o.since)),
      );
      console.log(
        formatTable(
          ['receiver', 'waiting', 'delivered', 'failed attempts'],
          counts.map((c) => [c.receiver, c.pending, c.delivered, c.failedAttempts]),
        ),
      );
    });
}
