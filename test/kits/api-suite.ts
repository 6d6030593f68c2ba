/**
 * The API through real HTTP on a real store: every route, auth, roles, scoping, validation, the
 * audit log, OpenAPI conformance of every response (api-harness.ts). Run on chDB
 * (test/e2e/api-embedded.test.ts) and on the ClickHouse 18.16 server (test/integration/api-clickhouse.test.ts).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllocationResponse } from '../../api/allocation/allocation-schema.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { LEDGER_FILTER_FIELDS } from '../../pipeline/store/ledger-filter.ts';
import { createCostLedgerDays } from '../../pipeline/store/cost-ledger-days.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { startApi, testApiOptions, type ApiHarness } from '../helpers/api-harness.ts';
import { describeCapabilityRoutes } from './api-capabilities-suite.ts';
import {
  OPENCOST_ALLOCATION_FIELDS,
  OPENCOST_ENVELOPE,
  OPENCOST_PROPERTY_FIELDS,
  OPENCOST_WINDOW_FIELDS,
} from '../helpers/opencost-allocation-fields.ts';
import { payloadArbitrary } from '../store-conformance.ts';
import { D0, DAYS, HOUR_MS, hourRows, NOW, PER_HOUR, writeApiLedger } from './api-ledger-kit.ts';

const HOURS = DAYS * 24;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** SQL-nasty strings that a URL can carry (a lone surrogate has no UTF-8 form), never a real value here. */
const urlSafePayload = payloadArbitrary.filter(
  (v) => v.length <= 100 && !LONE_SURROGATE.test(v) && !['', 'n1', 'n2', 'c1'].includes(v),
);
type Sets = AllocationResponse['data'];
const costs = (sets: Sets, i = 0) =>
  Object.fromEntries(Object.entries(sets[i] ?? {}).map(([k, a]) => [k, Math.round(a.gpuCost * 1e6) / 1e6]));

export function describeApiSuite(name: string, open: () => Promise<SqlExecutor>): void {
  describe(`API over HTTP: ${name}`, () => {
    const database = `t_api_${randomBytes(6).toString('hex')}`;
    let executor: SqlExecutor;
    let h: ApiHarness;
    const t = {
      admin: '',
      alpha: '',
      beta: '',
      alphaAuditor: '',
      auditor: '',
      quotaAdmin: '',
      exporter: '',
      scraper: '',
    };
    const alloc = async (query: string, token = t.admin) => {
      const r = await h.get<AllocationResponse>(`/v1/allocation?${query}`, token);
      expect(r.status, r.text).toBe(200);
      return r.body;
    };

    beforeAll(async () => {
      executor = await open();
      await writeApiLedger(executor, database);
      h = await startApi(executor, testApiOptions(database), () => NOW);
      t.admin = await h.token('platform-admin');
      t.alpha = await h.token('viewer', { tenant: 'alpha' });
      t.beta = await h.token('viewer', { tenant: 'beta' });
      t.alphaAuditor = await h.token('auditor', { tenant: 'alpha' });
      t.auditor = await h.token('platform-auditor');
      t.quotaAdmin = await h.token('quota-admin');
      t.exporter = await h.token('billing-exporter', { tenant: 'alpha' });
      t.scraper = await h.token('metrics-scraper');
    });
    afterAll(async () => {
      await h?.close();
      // Cleanup only: a slow DROP on a loaded server must not fail what was tested.
      await executor
        ?.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`)
        .catch((error: unknown) => console.warn(`could not drop ${database}: ${String(error)}`));
      await executor?.close();
    });

    it('answers allocation by namespace with the hand-computed costs, from the daily pre-aggregation', async () => {
      const r = await alloc('window=72h&aggregate=namespace');
      expect(r.data).toHaveLength(1);
      expect(costs(r.data)).toEqual({ 'ml-a': PER_HOUR.alpha * HOURS, 'ml-b': PER_HOUR.beta * HOURS });
      expect(r.meta).toEqual({
        window: { start: '2026-11-02T00:00:00Z', end: '2026-11-05T00:00:00Z' },
        stepHours: HOURS,
        daysPreAggregated: 3,
      });
      const a = r.data[0]?.['ml-a'];
      expect(a).toMatchObject({
        gpuHours: 1.5 * HOURS,
        gpuUsedHours: 0.75 * HOURS,
        gpuWasteCost: 1.5 * HOURS,
        pods: 2,
      });
      expect(a?.gpuEfficiency).toBeCloseTo(0.5, 12);
      expect(a?.minutes).toBe(HOURS * 60);
      expect(a?.gpuCount).toBeCloseTo(1.5, 12);
      // Part of a day is read from the hourly ledger: the same sums per hour.
      const partial = await alloc('window=2026-11-02T05:00:00Z,2026-11-04T07:00:00Z&aggregate=namespace');
      expect(partial.meta.daysPreAggregated).toBe(1);
      expect(costs(partial.data)).toEqual({ 'ml-a': PER_HOUR.alpha * 50, 'ml-b': PER_HOUR.beta * 50 });
    });

    it('keeps idle out, shows it, by node, or shares it by cost; the buckets add up to the fleet', async () => {
      expect(costs((await alloc('window=72h&aggregate=tenant&includeIdle=true')).data)).toEqual({
        alpha: 216,
        beta: 144,
        __idle__: PER_HOUR.idle * HOURS,
      });
      expect(costs((await alloc('window=72h&aggregate=tenant&includeIdle=true&idleByNode=true')).data)).toEqual({
        alpha: 216,
        beta: 144,
        'n1/__idle__': PER_HOUR.idleN1 * HOURS,
        'n2/__idle__': PER_HOUR.idleN2 * HOURS,
      });
      const shared = await alloc('window=72h&aggregate=tenant&shareIdle=true');
      expect(costs(shared.data)).toEqual({ alpha: 432, beta: 288 });
      expect(shared.data[0]?.['alpha']?.idleCost).toBeCloseTo(216, 9);
      // Per node: n1's idle goes to a1 and b1 (equal cost), n2's to a2 alone.
      const byNode = await alloc('window=72h&aggregate=pod&shareIdle=true&idleByNode=true');
      expect(costs(byNode.data)).toEqual({ 'ml-a/a1': 288, 'ml-b/b1': 288, 'ml-a/a2': 144 });
      expect(byNode.data[0]?.['ml-a/a2']).toMatchObject({
        migProfile: '3g.40gb',
        properties: { controllerKind: 'Job', pod: 'a2', namespace: 'ml-a' },
      });
    });

    it('steps back from the end of the window, and accumulates', async () => {
      const stepped = await alloc('window=72h&aggregate=tenant&step=1d');
      expect(stepped.data.map((s) => costs([s]))).toEqual([
        { alpha: 72, beta: 48 },
        { alpha: 72, beta: 48 },
        { alpha: 72, beta: 48 },
      ]);
      expect(stepped.data[0]?.['alpha']?.window).toEqual({
        start: '2026-11-02T00:00:00Z',
        end: '2026-11-03T00:00:00Z',
      });
      const odd = await alloc('window=2026-11-02T00:00:00Z,2026-11-03T12:00:00Z&aggregate=tenant&step=1d');
      expect(odd.data.map((s) => costs([s]))).toEqual([
        { alpha: 36, beta: 24 },
        { alpha: 72, beta: 48 },
      ]);
      const folded = await alloc('window=72h&aggregate=tenant&step=6h&accumulate=true&shareIdle=true');
      expect(costs(folded.data)).toEqual({ alpha: 432, beta: 288 });
    });

    it('filters with the OpenCost filter language, every value escaped', async () => {
      expect(costs((await alloc('window=72h&aggregate=pod&filter=namespace:"ml-a"')).data)).toEqual({
        'ml-a/a1': 144,
        'ml-a/a2': 72,
      });
      expect(
        costs(
          (await alloc(`window=72h&aggregate=pod&filter=${encodeURIComponent('label[app]!:"train"+node:"n1"')}`)).data,
        ),
      ).toEqual({ 'ml-b/b1': 144 });
      expect(
        costs(
          (await alloc(`window=72h&aggregate=pod&filter=${encodeURIComponent(`namespace:"x' OR 1=1 --","ml-b"`)}`))
            .data,
        ),
      ).toEqual({ 'ml-b/b1': 144 });
    });

    it('serves OpenCost clients at /allocation/compute with model cost per 1M tokens', async () => {
      const r = await h.get<AllocationResponse>(
        '/allocation/compute?window=72h&aggregate=model&accumulate=true',
        t.admin,
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ code: 200, status: 'success' });
      expect(r.body.data[0]?.['llama-3']?.usdPerMillionTokens).toEqual({ prompt: 1, generation: 2 });
      const models = await h.get<{ models: { model: string; usdPerMillionGenerationTokens: number }[] }>(
        '/v1/models/cost?window=72h&per=model',
        t.alpha,
      );
      expect(models.status).toBe(200);
      expect(models.body.models).toEqual([]);
      const beta = await h.get<{ models: { model: string; tenant: string; usdPerMillionGenerationTokens: number }[] }>(
        '/v1/models/cost?window=72h',
        t.beta,
      );
      expect(beta.body.models).toMatchObject([{ model: 'llama-3', tenant: 'beta', usdPerMillionGenerationTokens: 2 }]);
    });

    it('takes any value in every filter field through the one escaper (fuzz)', async () => {
      const all = costs((await alloc('window=72h&aggregate=pod')).data);
      const fields = [...Object.keys(LEDGER_FILTER_FIELDS), 'label[app]'];
      const quote = (v: string) => `"${v.replace(/[\\"]/g, '\\$&')}"`;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), urlSafePayload, async (field, value) => {
          const none = await alloc(`window=72h&aggregate=pod&filter=${encodeURIComponent(`${field}:${quote(value)}`)}`);
          expect(costs(none.data)).toEqual({});
          const every = await alloc(
            `window=72h&aggregate=pod&filter=${encodeURIComponent(`${field}!:${quote(value)}`)}`,
          );
          expect(costs(every.data)).toEqual(all);
        }),
        { numRuns: 25 },
      );
    });

    it("carries every field of OpenCost's published allocation, with its type", async () => {
      const r = await h.get<AllocationResponse>(
        '/allocation/compute?window=72h&aggregate=pod&includeIdle=true',
        t.admin,
      );
      expect(r.status).toBe(200);
      for (const [field, type] of Object.entries(OPENCOST_ENVELOPE))
        expect(typeof r.body[field as keyof AllocationResponse], field).toBe(type);
      const allocations = Object.values(r.body.data[0] ?? {});
      expect(allocations.length).toBe(4);
      for (const a of allocations) {
        for (const [field, type] of Object.entries(OPENCOST_ALLOCATION_FIELDS)) {
          expect(field in a, `${a.name}.${field}`).toBe(true);
          if (type !== 'any') expect(typeof (a as Record<string, unknown>)[field], `${a.name}.${field}`).toBe(type);
        }
        for (const f of OPENCOST_WINDOW_FIELDS) expect(typeof a.window[f]).toBe('string');
        for (const [k, v] of Object.entries(a.properties)) {
          if (k !== 'labels')
            expect([k, typeof v]).toEqual([
              expect.stringMatching(new RegExp(`^(${OPENCOST_PROPERTY_FIELDS.join('|')})$`)),
              'string',
            ]);
        }
      }
      expect(r.body.data[0]?.['ml-a/a1']?.properties).toEqual({ namespace: 'ml-a', pod: 'a1', controllerKind: 'Job' });
    });

    it('scopes a tenant to its own rows, totals and existence', async () => {
      expect(costs((await alloc('window=72h&aggregate=tenant&includeIdle=true&shareIdle=true', t.alpha)).data)).toEqual(
        { alpha: 216 },
      );
      expect(costs((await alloc('window=72h&aggregate=namespace&filter=namespace:"ml-b"', t.alpha)).data)).toEqual({});
      expect(costs((await alloc('window=72h&aggregate=namespace&filter=namespace:"no-such"', t.alpha)).data)).toEqual(
        {},
      );
      const csv = await h.get('/v1/export/focus?window=72h', t.exporter);
      expect(csv.status).toBe(200);
      const lines = csv.text.trim().split('\r\n');
      expect(lines).toHaveLength(1 + 2 * HOURS);
      expect(lines.slice(1).every((l) => l.includes(',alpha,alpha,'))).toBe(true);
    });

    it('names the field of a bad request, and hides stacks', async () => {
      const cases: [string, string][] = [
        ['/v1/allocation?window=soon', 'window'],
        ['/v1/allocation?window=72h&aggregate=colour', 'aggregate'],
        ['/v1/allocation?window=72h&step=90m', 'step'],
        ['/v1/allocation?window=72h&filter=namespace=ml', 'filter'],
        ['/v1/allocation?window=72h&colour=red', 'colour'],
        ['/v1/allocation?window=72h&window=24h', 'window'],
        ['/v1/allocation?aggregate=tenant', 'window'],
        ['/v1/allocation?window=9000d', 'window'],
        ['/v1/audit?window=24h&limit=x', 'limit'],
      ];
      for (const [path, field] of cases) {
        const r = await h.get<{ code: string; field: string; message: string }>(
          path,
          path.startsWith('/v1/audit') ? t.auditor : t.admin,
        );
        expect([r.status, r.body.field], `${path}: ${r.text}`).toEqual([400, field]);
        expect(r.text).not.toMatch(/at .*\.ts:\d+/);
      }
      const body = await h.send<{ field: string }>('PUT', '/v1/quotas/alpha', t.quotaAdmin, { gpus: 'lots' });
      expect([body.status, body.body.field]).toEqual([400, 'gpus']);
    });

    it('needs a valid token and the permission', async () => {
      expect((await h.get('/v1/allocation?window=24h')).status).toBe(401);
      expect(
        (await h.get('/v1/allocation?window=24h', 'glt_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))
          .status,
      ).toBe(401);
      expect((await h.get('/v1/allocation?window=24h', t.alphaAuditor)).status).toBe(403);
      expect((await h.get('/v1/audit?window=24h', t.admin)).status).toBe(403);
      expect((await h.get('/v1/nothing', t.admin)).status).toBe(404);
      const { token, stored } = await h.api.tokens.create({
        name: 'short',
        role: 'viewer',
        scope: { tenant: 'alpha', team: null, namespace: null },
        expiresAtMs: 0,
        createdBy: 'test',
      });
      expect((await h.get('/v1/allocation?window=24h', token)).status).toBe(200);
      expect(await h.api.tokens.revoke(stored.tokenId)).toBe(true);
      expect((await h.get('/v1/allocation?window=24h', token)).status).toBe(401);
      expect((await h.api.tokens.list()).find((x) => x.tokenId === stored.tokenId)?.revokedAtMs).toBe(NOW);
    });

    it('sets quotas to a thousandth of a GPU and shows them against usage', async () => {
      const put = await h.send('PUT', '/v1/quotas/alpha', t.quotaAdmin, {
        gpus: '12.5',
        cpu: '500m',
        memory: '64Gi',
      });
      expect(put.status, put.text).toBe(200);
      expect(
        (await h.send('PUT', '/v1/quotas/beta', t.quotaAdmin, { gpus: '350m', gpuModel: 'NVIDIA A100-SXM4-80GB' }))
          .status,
      ).toBe(200);
      expect((await h.send('PUT', '/v1/quotas/alpha', t.alpha, { gpus: '99' })).status).toBe(403);
      const r = await h.get<{
        quotas: {
          tenant: string;
          gpus: string;
          usage: { averageGpus: number; peakGpus: number; averagePct: number };
        }[];
      }>('/v1/quotas?window=24h', t.alpha);
      expect(r.status).toBe(200);
      expect(r.body.quotas).toHaveLength(1);
      expect(r.body.quotas[0]).toMatchObject({
        tenant: 'alpha',
        gpus: '12.5',
        gpuMilli: 12500,
        cpuMillicores: 500,
        memoryBytes: 64 * 2 ** 30,
      });
      expect(r.body.quotas[0]?.usage.averageGpus).toBeCloseTo(1.5, 9);
      expect(r.body.quotas[0]?.usage.averagePct).toBeCloseTo(12, 9);
      const all = await h.get<{ quotas: { tenant: string; gpus: string; usage: { peakPct: number } }[] }>(
        '/v1/quotas',
        t.admin,
      );
      expect(all.body.quotas.map((q) => [q.tenant, q.gpus])).toEqual([
        ['alpha', '12.5'],
        ['beta', '0.35'],
      ]);
      expect(all.body.quotas[1]?.usage.peakPct).toBeCloseTo((1 / 0.35) * 100, 9);
    });

    it('audits every request, reads included, readable only by auditors of the scope', async () => {
      await h.get('/v1/allocation?window=72h&aggregate=namespace');
      await h.get('/v1/allocation?window=72h&aggregate=namespace', t.alpha);
      await h.get('/v1/allocation?window=72h&aggregate=namespace', t.beta);
      await h.api.audit.flush();
      const all = await h.get<{
        records: {
          tenant: string;
          role: string;
          route: string;
          rows: number;
          status: number;
          filters: Record<string, string>;
        }[];
      }>('/v1/audit?window=24h&route=/v1/allocation', t.auditor);
      expect(all.status, all.text).toBe(200);
      const mine = all.body.records.filter(
        (r) => r.filters['aggregate'] === 'namespace' && r.filters['window'] === '72h' && !('filter' in r.filters),
      );
      expect(mine.find((r) => r.tenant === 'alpha')).toMatchObject({
        role: 'viewer',
        route: '/v1/allocation',
        rows: 1,
        status: 200,
      });
      expect(mine.find((r) => r.tenant === 'beta')).toMatchObject({ rows: 1, status: 200 });
      const anonymous = await h.get<{ records: { principal: string; status: number }[] }>(
        '/v1/audit?window=24h&principal=anonymous',
        t.auditor,
      );
      expect(anonymous.body.records.length).toBeGreaterThan(0);
      expect(anonymous.body.records.every((r) => r.status === 401)).toBe(true);
      const alphaOnly = await h.get<{ records: { tenant: string }[] }>('/v1/audit?window=24h', t.alphaAuditor);
      expect(alphaOnly.body.records.length).toBeGreaterThan(0);
      expect(new Set(alphaOnly.body.records.map((r) => r.tenant))).toEqual(new Set(['alpha']));
    });

    it('never serves a stale pre-aggregated day: a recomputed hour shows at once, refreshed or not (changes the ledger)', async () => {
      const before = await alloc('window=72h&aggregate=tenant');
      expect(before.meta.daysPreAggregated).toBe(3);
      // A writer whose day refresh never ran (its statements on the daily tables dropped): hour 5 of day 2
      // recomputed, alpha's a1 now costing 12.
      const ws = D0 + 29 * HOUR_MS;
      const rows = hourRows(ws).map((r) => (r.podUid === 'uid-a1' ? { ...r, costUsd: 12 } : r));
      const daily = /cost_ledger_da(ily|ys)/;
      const noRefresh: SqlExecutor = {
        ...executor,
        query: (q) => executor.query(q),
        command: async (q) => (daily.test(q.text) ? undefined : executor.command(q)),
        insert: async (table, r) => (daily.test(table) ? undefined : executor.insert(table, r)),
      };
      const fleetCostUsd = rows.reduce((a, r) => a + r.costUsd, 0);
      await createCostStore(noRefresh, { database }).write({
        cluster: 'c1',
        windowStartMs: ws,
        windowEndMs: ws + HOUR_MS,
        computedAtMs: NOW + 1,
        rows,
        fleetCostUsd,
        problems: [],
      });
      const after = await alloc('window=72h&aggregate=tenant');
      expect(after.meta.daysPreAggregated).toBe(2);
      expect(costs(after.data)).toEqual({ alpha: 216 + 10, beta: 144 });
      // The day refreshed (as every ledger write does): served from the pre-aggregation again, same sums.
      await createCostLedgerDays(executor, { database }).refresh('c1', ws, NOW + 2);
      const refreshed = await alloc('window=72h&aggregate=tenant');
      expect(refreshed.meta.daysPreAggregated).toBe(3);
      expect(costs(refreshed.data)).toEqual({ alpha: 226, beta: 144 });
    });

    it('limits requests per token, and answers CORS only for configured origins', async () => {
      const limited = await startApi(
        executor,
        testApiOptions(database, { rateLimit: { windowMs: 60_000, max: 3 }, corsOrigins: ['https://ui.example'] }),
        () => NOW,
      );
      try {
        const [one, two] = [
          await limited.token('viewer', { tenant: 'alpha' }),
          await limited.token('viewer', { tenant: 'beta' }),
        ];
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await limited.get('/v1/quotas', one)).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
        expect((await limited.get('/v1/quotas', two)).status).toBe(200);
        const preflight = await fetch(`${limited.url}/v1/quotas`, {
          method: 'OPTIONS',
          headers: { origin: 'https://ui.example', 'access-control-request-method': 'GET' },
        });
        expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ui.example');
        const other = await fetch(`${limited.url}/healthz`, { headers: { origin: 'https://evil.example' } });
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await limited.close();
      }
    });

    it('serves health, readiness, its OpenAPI 3.1 document and its metrics', async () => {
      expect((await h.get('/healthz')).body).toEqual({ ok: true });
      expect((await h.get('/readyz')).status).toBe(200);
      const doc = await h.get<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/allocation',
          '/allocation/compute',
          '/v1/models/cost',
          '/v1/export/focus',
          '/v1/quotas',
          '/v1/quotas/{tenant}',
          '/v1/audit',
          '/v1/budgets',
          '/v1/budgets/{scope}/{value}',
          '/v1/alerts',
          '/v1/recommendations',
          '/v1/recommendations/{id}/accept',
          '/v1/recommendations/{id}/dismiss',
          '/v1/hints',
          '/metrics',
        ]),
      );
      const metrics = await h.get('/metrics', t.scraper);
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/gpu_ledger_api_requests_total\{[^}]*route="\/v1\/allocation"/);
      expect((await h.get('/metrics', t.admin)).status).toBe(200);
      expect((await h.get('/metrics', t.alpha)).status).toBe(403);
      const headers = (await h.get('/healthz')).headers;
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('access-control-allow-origin')).toBeNull();
    });

    it('is not ready while the store does not answer (a store on a port nobody listens on)', async () => {
      const gone = createClickHouseServerExecutor({ url: 'http://127.0.0.1:9', requestTimeoutMs: 5000 });
      const down = await startApi(gone, testApiOptions(database), () => NOW);
      try {
        const ready = await down.get<{ ok: boolean; store: string }>('/readyz');
        expect([ready.status, ready.body.ok, ready.body.store]).toEqual([503, false, 'unavailable']);
        expect((await down.get('/healthz')).status).toBe(200);
      } finally {
        await down.close();
        await gone.close();
      }
    });

    describeCapabilityRoutes(() => executor);
  });
}
