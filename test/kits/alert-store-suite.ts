/**
 * Conformance suite of the anomaly-rule tables (migrations 030–033: alert-store.ts, outbox-store.ts,
 * budget-store.ts, rule-inputs-store.ts, xid-event-store.ts), run on chDB
 * (pipeline/store/alert-store.test.ts) and on the ClickHouse 18.16 server
 * (test/integration/alert-store-clickhouse.test.ts): latest versions win, replays collapse, merged or not.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreWriters } from '../../pipeline/ingest/store-writers.ts';
import type { AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { toOutboxEntries } from '../../pipeline/rules/rule-job.ts';
import { createAlertStore } from '../../pipeline/store/alert-store.ts';
import { createBudgetStore } from '../../pipeline/store/budget-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { createOutboxStore } from '../../pipeline/store/outbox-store.ts';
import { createRuleInputsStore } from '../../pipeline/store/rule-inputs-store.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { captureBatches, CAPTURE_BATCH_MS } from '../helpers/capture-batches.ts';
import { positionedBatches } from '../helpers/positioned.ts';

const T0 = Date.UTC(2026, 10, 25, 12);
const MIN = 60_000;

const record = (o: Partial<AlertRecord>): AlertRecord => ({
  fingerprint: 'fp-1',
  alertId: 'id-1',
  rule: 'idle-allocated',
  ruleKind: 'idle-allocated',
  severity: 'warning',
  state: 'pending',
  labels: { alertname: 'idle-allocated', pod: "ml/O'Brien", severity: 'warning' },
  summary: 'idle',
  runbook: 'reclaim',
  activeAtMs: T0,
  firedAtMs: null,
  resolvedAtMs: null,
  observedUntilMs: T0 + 10 * MIN,
  evaluatedAtMs: T0 + 10 * MIN,
  evidence: { idleMinutes: 10, note: 'a "quoted" \\ value' },
  rows: [{ tsMs: T0, utilizationPct: 0, ok: true, missing: null }],
  ...o,
});

export function describeAlertStoreSuite(name: string, open: () => Promise<SqlExecutor>): void {
  describe(`anomaly-rule tables: ${name}`, () => {
    let executor: SqlExecutor;
    let store: TelemetryStore;
    const database = `t_alerts_${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      executor = await open();
      store = createTelemetryStore(executor, { database });
      await store.migrate();
    });
    afterAll(async () => {
      await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await executor.close();
    });

    it('alerts: each incident in its latest version, filtered by state; labels, evidence and rows round-trip', async () => {
      const alerts = createAlertStore(executor, { database });
      const firing = record({ state: 'firing', firedAtMs: T0 + 30 * MIN, evaluatedAtMs: T0 + 30 * MIN });
      await alerts.write([record({}), record({ fingerprint: 'fp-2', alertId: 'id-2', activeAtMs: T0 + MIN })]);
      await alerts.write([firing]);
      await alerts.write([record({})]); // a retried old version: loses to the newer one
      await alerts.write([
        {
          ...record({ fingerprint: 'fp-2', alertId: 'id-2', activeAtMs: T0 + MIN }),
          state: 'resolved',
          resolvedAtMs: T0 + 40 * MIN,
          evaluatedAtMs: T0 + 40 * MIN,
        },
      ]);
      expect(await alerts.list({ states: ['pending', 'firing'] })).toEqual([firing]);
      expect((await alerts.list({})).map((a) => [a.fingerprint, a.state])).toEqual([
        ['fp-2', 'resolved'],
        ['fp-1', 'firing'],
      ]);
      expect(await alerts.list({ states: ['firing'], sinceMs: T0 + 31 * MIN })).toEqual([]);
      expect(await alerts.list({ rule: 'xid' })).toEqual([]);
    });

    it('outbox: due notifications, backoff, delivery; a re-queued copy never undoes an attempt', async () => {
      const outbox = createOutboxStore(executor, { database });
      const fired = record({ state: 'firing', firedAtMs: T0 + 30 * MIN, evaluatedAtMs: T0 + 30 * MIN });
      const [am, hook] = toOutboxEntries([fired], ['alertmanager', 'webhook:ops']);
      await outbox.write([am!, hook!]);
      const now = T0 + 31 * MIN;
      expect((await outbox.due('alertmanager', now, T0 - MIN, 10)).map((e) => e.notificationId)).toEqual([
        'id-1:firing',
      ]);
      await outbox.write([{ ...am!, attempts: 1, version: 1, nextAttemptAtMs: now + 2_000, lastError: 'down' }]);
      await outbox.write([am!]); // the rule job queued the same transition again (it died before writing the alert)
      expect(await outbox.due('alertmanager', now + 1_999, T0 - MIN, 10)).toEqual([]);
      expect(await outbox.due('alertmanager', now + 2_000, T0 - MIN, 10)).toMatchObject([
        { attempts: 1, lastError: 'down' },
      ]);
      await outbox.write([{ ...hook!, attempts: 1, version: 1, deliveredAtMs: now }]);
      expect(await outbox.due('webhook:ops', now + MIN, T0 - MIN, 10)).toEqual([]);
      expect(await outbox.counts(T0 - MIN)).toEqual([
        { receiver: 'alertmanager', pending: 1, delivered: 0, failedAttempts: 1 },
        { receiver: 'webhook:ops', pending: 0, delivered: 1, failedAttempts: 0 },
      ]);
    });

    it('budgets: set, change and delete, each audited with before and after; a retried change collapses', async () => {
      const budgets = createBudgetStore(executor, { database });
      const acme = {
        id: 'tenant/acme',
        scope: 'tenant' as const,
        scopeValue: 'acme',
        period: 'monthly' as const,
        amountUsd: 5000,
        thresholdsPct: [50, 80, 100],
        updatedAtMs: T0,
        updatedBy: 'alice',
      };
      await budgets.set(acme);
      await budgets.set({ ...acme, id: 'team/vision', scope: 'team', scopeValue: 'vision', updatedBy: 'bob' });
      const change = await budgets.set({
        ...acme,
        amountUsd: 4000,
        period: 'weekly',
        updatedAtMs: T0,
        updatedBy: 'carol',
      });
      expect(change).toMatchObject({ before: { amountUsd: 5000 }, after: { amountUsd: 4000, updatedAtMs: T0 + 1 } });
      await executor.insert(`${database}.budget_changes`, [
        {
          changed_at: Math.floor((T0 + 1) / 1000),
          changed_at_ms: T0 + 1,
          budget_id: 'tenant/acme',
          action: 'set',
          actor: 'carol',
          before_json: '',
          after_json: '',
        },
      ]);
      expect(await budgets.delete('team/vision', 'dave', T0 + MIN)).toMatchObject({ action: 'delete', after: null });
      expect(await budgets.delete('team/nope', 'dave', T0 + MIN)).toBeNull();
      expect(await budgets.list()).toEqual([
        { ...acme, amountUsd: 4000, period: 'weekly', updatedAtMs: T0 + 1, updatedBy: 'carol' },
      ]);
      expect((await budgets.changes()).map((c) => [c.budgetId, c.action, c.actor])).toEqual([
        ['team/vision', 'set', 'bob'], // same instant as alice's: ordered by budget
        ['tenant/acme', 'set', 'alice'],
        ['tenant/acme', 'set', 'carol'],
        ['team/vision', 'delete', 'dave'],
      ]);
    });

    it('rule inputs: samples and Xid codes from the ingest writers, replays collapsed; process pods; batches', async () => {
      const writers = createStoreWriters(store, () => T0);
      const batches = captureBatches();
      await writers.gpuSamples(positionedBatches(batches));
      await writers.gpuSamples(positionedBatches(batches)); // delivered twice
      const inputs = createRuleInputsStore(executor, { database });
      const range = { fromMs: CAPTURE_BATCH_MS - MIN, toMs: CAPTURE_BATCH_MS + MIN };
      const samples = await inputs.samples(range);
      expect(samples).toHaveLength(batches.reduce((n, b) => n + b.samples.length, 0));
      const mig = batches[0]!.samples.filter((s) => s.kind === 'mig');
      expect(samples.filter((s) => s.migProfile !== '' || s.device.includes('/')).length).toBe(mig.length);
      expect(new Set(samples.map((s) => s.device)).size).toBe(samples.length);
      const a5000 = samples.find((s) => s.model === 'NVIDIA RTX A5000')!;
      expect(a5000).toMatchObject({
        memoryUsedBytes: 23_526_899_712,
        memoryTotalBytes: 25_757_220_864,
        throttleReasons: ['gpu_idle'],
      });
      // every capture batch carries Xid 79 on its first sample
      expect((await inputs.xids(range)).map((x) => [x.xid, x.gpuUuid])).toEqual(
        batches.map((b) => [79, b.samples[0]!.gpuUuid]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      );
      const pods = await inputs.processPods(range);
      expect(pods.every((p) => p.podUids.length === 1 && p.podUids[0] === 'pod-1')).toBe(true);
      expect((await inputs.batches(range)).map((b) => b.seq)).toEqual([0, 1, 2, 3]);
      expect(await inputs.bootsLastSeen(range)).toEqual([
        { cluster: 'c', node: 'n', agentId: 'a', bootId: 'b', lastSeenMs: CAPTURE_BATCH_MS },
      ]);
    });
  });
}
