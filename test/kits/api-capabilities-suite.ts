/**
 * The API's budgets, alerts, recommendations and hints through real HTTP, over the recommender's test
 * fleet (recommender-fleet-kit.ts: real captures, tenants acme and globex, 8 hours priced by the cost
 * ledger and the recommender run, at 8:20) in a database of its own, with alerts written as the rule
 * job writes them. Called inside describeApiSuite, so it runs on chDB and on the ClickHouse 18.16 server.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recommendation } from '../../contracts/recommendation.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { createAlertStore } from '../../pipeline/store/alert-store.ts';
import { createBudgetStore } from '../../pipeline/store/budget-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { startApi, testApiOptions, type ApiHarness } from '../helpers/api-harness.ts';
import { FLEET_COST_CONFIG_YAML, fleetWithRecommendations, T0 } from './recommender-fleet-kit.ts';

const HOUR_MS = 3_600_000;

const alertRecord = (o: Partial<AlertRecord> & Pick<AlertRecord, 'alertId' | 'labels' | 'state'>): AlertRecord => ({
  fingerprint: `fp-${o.alertId}`,
  rule: 'gpu-allocated-idle',
  ruleKind: 'idle-allocated',
  severity: 'warning',
  summary: `alert ${o.alertId}`,
  runbook: '',
  activeAtMs: T0 + 7 * HOUR_MS,
  firedAtMs: T0 + 7 * HOUR_MS + 600_000,
  resolvedAtMs: null,
  observedUntilMs: T0 + 8 * HOUR_MS,
  evaluatedAtMs: T0 + 8 * HOUR_MS + 10 * 60_000,
  evidence: { burnedUsd: 5 },
  rows: [],
  ...o,
});

type Body = Record<string, unknown>;
interface RecList {
  recommendations: Recommendation[];
  adoption: { byStatus: Record<string, number>; adoptionRate: number | null };
}
interface HintList {
  hints: {
    node: string;
    capacity: { gpuCount: number; allocatedGpus: number } | null;
    pendingRecommendations: { id: string }[];
    activeAnomalies: { alertId: string }[];
  }[];
}

export function describeCapabilityRoutes(executorOf: () => SqlExecutor): void {
  describe('budgets, alerts, recommendations and hints (the recommender fleet)', () => {
    const database = `t_api_caps_${randomBytes(6).toString('hex')}`;
    let h: ApiHarness;
    let clock = 0;
    const t = { admin: '', acme: '', acmeOwner: '', acmeOptimizer: '', globexOptimizer: '', auditor: '' };

    beforeAll(async () => {
      const executor = executorOf();
      clock = await fleetWithRecommendations(executor, database);
      const alerts = createAlertStore(executor, { database });
      await alerts.write([
        alertRecord({
          alertId: 'a-acme',
          labels: { tenant: 'acme', namespace: 'genai', node: 'a800-0' },
          state: 'firing',
        }),
        alertRecord({ alertId: 'a-globex', labels: { tenant: 'globex', namespace: 'ml' }, state: 'resolved' }),
        alertRecord({ alertId: 'a-node', labels: { node: 'a800-0', gpu: 'GPU-x' }, state: 'firing', rule: 'xid' }),
      ]);
      const cost = parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet');
      h = await startApi(
        executor,
        testApiOptions(database, { pricing: { prices: createPriceLookup(loadPriceCatalog()), cost } }),
        () => clock,
      );
      t.admin = await h.token('platform-admin');
      t.acme = await h.token('viewer', { tenant: 'acme' });
      t.acmeOwner = await h.token('budget-owner', { tenant: 'acme' });
      t.acmeOptimizer = await h.token('optimizer', { tenant: 'acme' });
      t.globexOptimizer = await h.token('optimizer', { tenant: 'globex' });
      t.auditor = await h.token('platform-auditor');
    }, 300_000);
    afterAll(async () => {
      await h?.close();
      await executorOf()
        .command(sql`DROP DATABASE IF EXISTS ${ident(database)}`)
        .catch((error: unknown) => console.warn(`could not drop ${database}: ${String(error)}`));
    });

    it('sets and reads budgets of its scope only, with the spend the cost ledger shows; changes audited', async () => {
      const put = await h.send<Body>('PUT', '/v1/budgets/tenant/acme', t.acmeOwner, {
        period: 'monthly',
        amountUsd: 1000,
      });
      expect(put.status, put.text).toBe(200);
      expect(put.body).toMatchObject({ id: 'tenant/acme', created: true, thresholdsPct: [50, 80, 100] });
      const again = await h.send<Body>('PUT', '/v1/budgets/tenant/acme', t.acmeOwner, {
        period: 'monthly',
        amountUsd: 500,
        thresholdsPct: [90, 10],
      });
      expect(again.body).toMatchObject({ created: false, amountUsd: 500, thresholdsPct: [10, 90] });
      expect(
        (await h.send('PUT', '/v1/budgets/tenant/globex', t.acmeOwner, { period: 'weekly', amountUsd: 1 })).status,
      ).toBe(403);
      expect((await h.send('PUT', '/v1/budgets/team/ml', t.acmeOwner, { period: 'weekly', amountUsd: 1 })).status).toBe(
        403,
      );
      expect((await h.send('PUT', '/v1/budgets/tenant/acme', t.acme, { period: 'weekly', amountUsd: 1 })).status).toBe(
        403,
      );
      for (const id of ['tenant/globex', 'namespace/ml'])
        expect((await h.send('PUT', `/v1/budgets/${id}`, t.admin, { period: 'weekly', amountUsd: 100 })).status).toBe(
          200,
        );
      const bad = await h.send<{ field: string }>('PUT', '/v1/budgets/tenant/acme', t.acmeOwner, {
        period: 'monthly',
        amountUsd: -3,
      });
      expect([bad.status, bad.body.field]).toEqual([400, 'amountUsd']);
      expect(
        (await h.send<{ field: string }>('PUT', '/v1/budgets/colour/x', t.admin, { period: 'monthly', amountUsd: 1 }))
          .body.field,
      ).toBe('scope');

      const mine = await h.get<{ budgets: Body[] }>('/v1/budgets', t.acme);
      expect(mine.status, mine.text).toBe(200);
      expect(mine.body.budgets.map((b) => b['id'])).toEqual(['tenant/acme']);
      const all = await h.get<{ budgets: Body[] }>('/v1/budgets', t.admin);
      expect(all.body.budgets.map((b) => b['id'])).toEqual(['namespace/ml', 'tenant/acme', 'tenant/globex']);
      expect((await h.get('/v1/budgets/tenant/globex', t.acme)).status).toBe(404);
      expect((await h.get('/v1/budgets/tenant/nobody', t.admin)).status).toBe(404);

      // The closed part of the spend is what the allocation route says acme cost this month.
      const one = await h.get<Body>('/v1/budgets/tenant/acme', t.acme);
      expect(one.status).toBe(200);
      const alloc = await h.get<{ data: Record<string, { totalCost: number }>[] }>(
        `/v1/allocation?window=2026-11-01T00:00:00Z,${new Date(T0 + 8 * HOUR_MS).toISOString()}&aggregate=tenant`,
        t.acme,
      );
      const acmeCost = alloc.body.data[0]?.['acme']?.totalCost ?? NaN;
      expect(acmeCost).toBeGreaterThan(0);
      expect(one.body['ledgerUsd']).toBeCloseTo(acmeCost, 6);
      expect(one.body['provisionalUsd']).toBeGreaterThan(0);
      expect(one.body['spentUsd']).toBeCloseTo(Number(one.body['ledgerUsd']) + Number(one.body['provisionalUsd']), 9);
      expect(one.body['spentPct']).toBeCloseTo((Number(one.body['spentUsd']) / 500) * 100, 9);
      expect(one.body).toMatchObject({ period: 'monthly', periodStart: '2026-11-01T00:00:00.000Z', amountUsd: 500 });

      const changes = await createBudgetStore(executorOf(), { database }).changes('tenant/acme');
      expect(changes.map((c) => [c.action, c.before?.amountUsd ?? null, c.after?.amountUsd])).toEqual([
        ['set', null, 1000],
        ['set', 1000, 500],
      ]);
      await h.api.audit.flush();
      const audit = await h.get<{ records: { method: string; status: number; tenant: string }[] }>(
        `/v1/audit?window=24h&route=${encodeURIComponent('/v1/budgets/:scope/:value')}`,
        t.auditor,
      );
      expect(
        audit.body.records
          .filter((r) => r.method === 'PUT' && r.tenant === 'acme')
          .map((r) => r.status)
          .sort(),
      ).toEqual([200, 200, 400, 403, 403, 403]);
    });

    it('lists the alerts whose labels name its tenant, by state', async () => {
      const ids = async (query: string, token: string) =>
        (await h.get<{ alerts: { id: string }[] }>(`/v1/alerts${query}`, token)).body.alerts.map((a) => a.id).sort();
      expect(await ids('', t.admin)).toEqual(['a-acme', 'a-globex', 'a-node']);
      expect(await ids('?state=firing', t.admin)).toEqual(['a-acme', 'a-node']);
      expect(await ids('', t.acme)).toEqual(['a-acme']);
      expect(await ids('?state=resolved', t.acme)).toEqual([]);
      const bad = await h.get<{ field: string }>('/v1/alerts?state=burning', t.acme);
      expect([bad.status, bad.body.field]).toEqual([400, 'state']);
      expect((await h.get('/v1/alerts', t.acmeOwner)).status).toBe(403);
    });

    it('lists, accepts and dismisses recommendations of its scope only, with adoption', async () => {
      const all = await h.get<RecList>('/v1/recommendations?status=all', t.admin);
      expect(all.status, all.text).toBe(200);
      const tenants = new Set(all.body.recommendations.map((r) => r.target.tenant));
      expect(tenants).toEqual(new Set(['acme', 'globex', null]));
      const acme = await h.get<RecList>('/v1/recommendations', t.acmeOptimizer);
      expect(acme.body.recommendations.length).toBeGreaterThan(0);
      expect(acme.body.recommendations.every((r) => r.target.tenant === 'acme')).toBe(true);
      expect(acme.body.adoption).toMatchObject({ adoptionRate: null, byStatus: { accepted: 0, dismissed: 0 } });
      const [first, second] = acme.body.recommendations;
      const globex = all.body.recommendations.find((r) => r.target.tenant === 'globex');

      const accepted = await h.send<{ recommendation: Recommendation }>(
        'POST',
        `/v1/recommendations/${first?.id}/accept`,
        t.acmeOptimizer,
        {},
      );
      expect(accepted.status, accepted.text).toBe(200);
      expect(accepted.body.recommendation).toMatchObject({ id: first?.id, status: 'accepted' });
      expect(accepted.body.recommendation.acceptedAtMs).toBeGreaterThanOrEqual(clock);
      expect((await h.send('POST', `/v1/recommendations/${first?.id}/accept`, t.acmeOptimizer, {})).status).toBe(409);
      const noReason = await h.send<{ field: string }>(
        'POST',
        `/v1/recommendations/${second?.id}/dismiss`,
        t.acmeOptimizer,
        {},
      );
      expect([noReason.status, noReason.body.field]).toEqual([400, 'reason']);
      const dismissed = await h.send<{ recommendation: Recommendation }>(
        'POST',
        `/v1/recommendations/${second?.id}/dismiss`,
        t.acmeOptimizer,
        { reason: 'needs the headroom for launches' },
      );
      expect(dismissed.body.recommendation).toMatchObject({
        status: 'dismissed',
        statusReason: 'needs the headroom for launches',
      });
      // Another tenant's, and one that does not exist: the same 404.
      expect((await h.send('POST', `/v1/recommendations/${globex?.id}/accept`, t.acmeOptimizer, {})).status).toBe(404);
      expect((await h.send('POST', '/v1/recommendations/nope/accept', t.acmeOptimizer, {})).status).toBe(404);
      expect((await h.send('POST', `/v1/recommendations/${globex?.id}/accept`, t.acme, {})).status).toBe(403);

      const after = await h.get<RecList>('/v1/recommendations?status=accepted,dismissed', t.acmeOptimizer);
      expect(after.body.recommendations.map((r) => r.id).sort()).toEqual([first?.id, second?.id].sort());
      expect(after.body.adoption).toMatchObject({ adoptionRate: 0.5, byStatus: { accepted: 1, dismissed: 1 } });
      const globexView = await h.get<RecList>('/v1/recommendations?status=all', t.globexOptimizer);
      expect(globexView.body.adoption.byStatus).toMatchObject({ accepted: 0, dismissed: 0 });
      expect((await h.get<{ field: string }>('/v1/recommendations?status=maybe', t.acme)).body.field).toBe('status');
    });

    it('serves node hints: the whole node to the platform, only its own to a tenant', async () => {
      const all = await h.get<HintList>('/v1/hints', t.admin);
      expect(all.status, all.text).toBe(200);
      expect(all.body.hints.map((x) => x.node)).toEqual(['a800-0', 'v100-a', 'v100-b']);
      const a800 = all.body.hints[0];
      expect(a800?.capacity).toMatchObject({ gpuCount: 8 });
      expect(a800?.activeAnomalies.map((a) => a.alertId).sort()).toEqual(['a-acme', 'a-node']);
      const acmeRecs = new Set(
        (await h.get<RecList>('/v1/recommendations', t.acme)).body.recommendations.map((r) => r.id),
      );
      const mine = await h.get<HintList>('/v1/hints', t.acme);
      expect(mine.body.hints.length).toBeGreaterThan(0);
      for (const hint of mine.body.hints) {
        expect(hint.capacity).toBeNull();
        expect(hint.pendingRecommendations.every((r) => acmeRecs.has(r.id))).toBe(true);
        expect(hint.activeAnomalies.map((a) => a.alertId).filter((id) => id !== 'a-acme')).toEqual([]);
      }
      expect((await h.get<HintList>('/v1/hints?node=v100-b', t.admin)).body.hints.map((x) => x.node)).toEqual([
        'v100-b',
      ]);
      expect((await h.get('/v1/hints', t.acmeOwner)).status).toBe(403);
    });
  });
}
