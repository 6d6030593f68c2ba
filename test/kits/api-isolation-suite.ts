/**
 * Isolation: 100 tenants, each with its own namespace, team, pod, model, quota and cost (tenant i
 * costs i + 1 dollars), on 10 shared nodes with idle. Every tenant-scoped built-in role × every route
 * × every tenant: a tenant sees its own rows and totals only, never another's rows, totals, idle or
 * existence; a route its role lacks is the same 403 for every tenant. Budgets, alerts, recommendations
 * and hints are asked by 10 of the tenants (one on every node), to bound the suite's time. The callers are OIDC identities
 * (JWTs verified against a JWKS served over HTTP). Run on chDB and ClickHouse 18.16.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES, type Permission } from '../../api/auth/permissions.ts';
import type { CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { COST_LEDGER_JOB } from '../../pipeline/cost/cost-ledger-job.ts';
import type { AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { createAlertStore } from '../../pipeline/store/alert-store.ts';
import { createBudgetStore } from '../../pipeline/store/budget-store.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import { writeJobState } from '../../pipeline/store/job-state.ts';
import { createRecommendationStore, type RecommendationContent } from '../../pipeline/store/recommendation-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { createQuotaStore } from '../../pipeline/store/quota-store.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { startApi, testApiOptions, type ApiHarness, type ApiResponse } from '../helpers/api-harness.ts';
import { startTestIssuer, type TestIssuer } from '../helpers/oidc-issuer.ts';
import { asIdle } from './api-ledger-kit.ts';

const TENANTS = 100;
const W = Date.UTC(2026, 10, 2, 10);
const NOW = W + 90 * 60_000;
const tenant = (i: number) => `t${String(i).padStart(3, '0')}`;

const rowFor = (i: number): CostLedgerRow => ({
  schemaVersion: 1,
  windowStartMs: W,
  windowEndMs: W + 3_600_000,
  cluster: 'c1',
  node: `node-${i % 10}`,
  gpuModel: 'H100',
  pricingTier: 'on-demand',
  bucket: 'workload',
  namespace: `ns-${tenant(i)}`,
  pod: `pod-${i}`,
  podUid: `uid-${i}`,
  tenant: tenant(i),
  team: `${tenant(i)}-team`,
  workload: `job-${i}`,
  model: `m-${i}`,
  labels: { app: `app-${i}` },
  allocatedGpuSeconds: (i + 1) * 1800,
  usedGpuSeconds: (i + 1) * 900,
  priceUsdPerGpuHour: 2,
  costUsd: i + 1,
  wasteUsd: (i + 1) / 2,
});
const idleRow = (n: number): CostLedgerRow => asIdle(rowFor(n), 1000 * 1800);

interface RouteCase {
  readonly name: string;
  readonly permission: Permission;
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly path: (i: number) => string;
  readonly body?: (i: number) => unknown;
  /** The status a role with the permission gets (default 200). */
  readonly status?: number;
  /** The tenants asked (default all): the later routes ask a sample, to bound the suite's time. */
  readonly tenants?: readonly number[];
  /** What tenant i must see, and nothing else. */
  readonly check: (i: number, r: ApiResponse<Record<string, unknown>>) => void;
}

/** 10 of the tenants, on every node (node i % 10). */
const SAMPLE = [0, 11, 22, 33, 44, 55, 66, 77, 88, 99];
const neighbour = (i: number) => (i + 1) % TENANTS;
const recId = (i: number) => `rec-${tenant(i)}`;

const allocationCheck = (i: number, r: ApiResponse<Record<string, unknown>>) => {
  const sets = r.body['data'] as Record<string, { gpuCost: number; tenant: string | null }>[];
  expect(Object.keys(sets[0] ?? {})).toEqual([`ns-${tenant(i)}/${tenant(i)}`]);
  expect(Object.values(sets[0] ?? {})[0]).toMatchObject({ gpuCost: i + 1, tenant: tenant(i) });
};

const ROUTES: readonly RouteCase[] = [
  {
    name: 'allocation',
    permission: 'allocation:read',
    method: 'GET',
    path: () => '/v1/allocation?window=24h&aggregate=namespace,tenant&includeIdle=true&shareIdle=true',
    check: allocationCheck,
  },
  {
    name: 'allocation/compute (a neighbour named in the filter)',
    permission: 'allocation:read',
    method: 'GET',
    path: (i) =>
      `/allocation/compute?window=24h&aggregate=namespace,tenant&includeIdle=true&idleByNode=true&filter=${encodeURIComponent(`namespace:"ns-${tenant(i)}","ns-${tenant((i + 1) % TENANTS)}"`)}`,
    check: allocationCheck,
  },
  {
    name: 'models/cost',
    permission: 'models:read',
    method: 'GET',
    path: () => '/v1/models/cost?window=24h',
    check: (i, r) =>
      expect(r.body['models']).toEqual([
        expect.objectContaining({
          model: `m-${i}`,
          tenant: tenant(i),
          costUsd: i + 1,
          generationTokens: 1000 * (i + 1),
        }),
      ]),
  },
  {
    name: 'export/focus',
    permission: 'export:read',
    method: 'GET',
    path: () => '/v1/export/focus?window=24h',
    check: (i, r) => {
      const lines = r.text.trim().split('\r\n').slice(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`,${tenant(i)},${tenant(i)},`);
    },
  },
  {
    name: 'quotas',
    permission: 'quotas:read',
    method: 'GET',
    path: () => '/v1/quotas?window=24h',
    check: (i, r) =>
      expect(r.body['quotas']).toEqual([
        expect.objectContaining({
          tenant: tenant(i),
          gpuMilli: 1000 + i,
          usage: expect.objectContaining({ peakGpus: (i + 1) / 2 }) as unknown,
        }),
      ]),
  },
  {
    name: 'audit',
    permission: 'audit:read',
    method: 'GET',
    path: () => '/v1/audit?window=24h&limit=5000',
    check: (i, r) => {
      const records = r.body['records'] as { tenant: string }[];
      expect(records.length).toBeGreaterThan(0);
      expect(new Set(records.map((x) => x.tenant))).toEqual(new Set([tenant(i)]));
    },
  },
  { name: 'metrics', permission: 'metrics:read', method: 'GET', path: () => '/metrics', check: () => undefined },
  {
    name: 'put quota',
    permission: 'quotas:write',
    method: 'PUT',
    path: (i) => `/v1/quotas/${tenant(i)}`,
    body: () => ({ gpus: '1' }),
    check: () => undefined,
  },
  {
    name: 'budgets',
    permission: 'budgets:read',
    method: 'GET',
    path: () => '/v1/budgets',
    tenants: SAMPLE,
    check: (i, r) =>
      expect(r.body['budgets']).toEqual([
        expect.objectContaining({ id: `tenant/${tenant(i)}`, ledgerUsd: i + 1, amountUsd: 100 + i }),
      ]),
  },
  {
    name: "a neighbour's budget (404, as one that does not exist)",
    permission: 'budgets:read',
    method: 'GET',
    path: (i) => `/v1/budgets/tenant/${tenant(neighbour(i))}`,
    status: 404,
    tenants: SAMPLE,
    check: () => undefined,
  },
  {
    name: 'put budget',
    permission: 'budgets:write',
    method: 'PUT',
    path: (i) => `/v1/budgets/tenant/${tenant(i)}`,
    body: (i) => ({ period: 'monthly', amountUsd: 100 + i }),
    tenants: SAMPLE,
    check: (i, r) => expect(r.body['id']).toBe(`tenant/${tenant(i)}`),
  },
  {
    name: 'alerts',
    permission: 'alerts:read',
    method: 'GET',
    path: () => '/v1/alerts',
    tenants: SAMPLE,
    check: (i, r) => expect(r.body['alerts']).toEqual([expect.objectContaining({ id: `alert-${tenant(i)}` })]),
  },
  {
    name: 'recommendations',
    permission: 'recommendations:read',
    method: 'GET',
    path: () => '/v1/recommendations?status=all',
    tenants: SAMPLE,
    check: (i, r) => {
      expect((r.body['recommendations'] as { id: string }[]).map((x) => x.id)).toEqual([recId(i)]);
      expect(r.body['adoption']).toMatchObject({ estimatedMonthlySavingUsd: i + 1 });
    },
  },
  {
    name: "accepting a neighbour's recommendation (404, as one that does not exist)",
    permission: 'recommendations:write',
    method: 'POST',
    path: (i) => `/v1/recommendations/${recId(neighbour(i))}/accept`,
    body: () => ({}),
    status: 404,
    tenants: SAMPLE,
    check: () => undefined,
  },
  {
    name: 'hints',
    permission: 'hints:read',
    method: 'GET',
    path: () => '/v1/hints',
    tenants: SAMPLE,
    check: (i, r) => {
      for (const h of r.body['hints'] as { capacity: unknown; pendingRecommendations: { id: string }[] }[]) {
        expect(h.capacity).toBeNull();
        expect(h.pendingRecommendations.map((x) => x.id)).toEqual([recId(i)]);
      }
    },
  },
];

const alertOf = (id: string, labels: Record<string, string>): AlertRecord => ({
  fingerprint: `fp-${id}`,
  alertId: `alert-${id}`,
  rule: 'gpu-allocated-idle',
  ruleKind: 'idle-allocated',
  severity: 'warning',
  state: 'firing',
  labels,
  summary: id,
  runbook: '',
  activeAtMs: W,
  firedAtMs: W + 60_000,
  resolvedAtMs: null,
  observedUntilMs: NOW,
  evaluatedAtMs: NOW,
  evidence: {},
  rows: [],
});

const recommendationOf = (i: number): RecommendationContent => ({
  id: recId(i),
  kind: 'right-size',
  target: {
    cluster: 'c1',
    node: `node-${i % 10}`,
    namespace: `ns-${tenant(i)}`,
    workload: `job-${i}`,
    pod: `pod-${i}`,
    tenant: tenant(i),
  },
  current: { gpuModel: 'H100', gpuRequest: { kind: 'whole', count: 2 } },
  recommended: { gpuModel: 'H100', gpuRequest: { kind: 'whole', count: 1 } },
  evidence: { hoursObserved: 1 },
  estimatedMonthlySavingUsd: i + 1,
  confidence: 0.5,
  riskNote: '',
  createdAtMs: NOW - 60_000,
  computedAtMs: NOW - 60_000,
});

const TENANT_ROLES = Object.values(BUILT_IN_ROLES).filter((r) => !r.platform);

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export function describeApiIsolationSuite(name: string, open: () => Promise<SqlExecutor>, concurrency: number): void {
  describe(`API isolation, ${TENANTS} tenants (${SAMPLE.length} on the later routes) × ${TENANT_ROLES.length} roles × ${ROUTES.length} routes: ${name}`, () => {
    const database = `t_api_iso_${randomBytes(6).toString('hex')}`;
    let executor: SqlExecutor;
    let h: ApiHarness;
    let issuer: TestIssuer;
    const tokens = new Map<string, string>();

    beforeAll(async () => {
      executor = await open();
      const telemetry = createTelemetryStore(executor, { database });
      await telemetry.migrate();
      const rows = [
        ...Array.from({ length: TENANTS }, (_, i) => rowFor(i)),
        ...Array.from({ length: 10 }, (_, n) => idleRow(n)),
      ];
      await createCostStore(executor, { database }).write({
        cluster: 'c1',
        windowStartMs: W,
        windowEndMs: W + 3_600_000,
        computedAtMs: NOW,
        rows,
        fleetCostUsd: rows.reduce((s, r) => s + r.costUsd, 0),
        problems: [],
      });
      await telemetry.insertModelServerSamples(
        Array.from({ length: TENANTS }, (_, i) => ({
          observed_at_ms: W + 1_800_000,
          agent_id: `c1/node-${i % 10}`,
          cluster: 'c1',
          node: `node-${i % 10}`,
          server: 'vllm' as const,
          model: `m-${i}`,
          pod_uid: `uid-${i}`,
          window_ms: 60_000,
          requests_delta: 10,
          prompt_tokens_delta: 100,
          generation_tokens_delta: 1000 * (i + 1),
          latency_ms_sum: 0,
          latency_count: 0,
          queue_depth: null,
          kv_cache_usage_pct: null,
          ingested_at_ms: NOW,
        })),
      );
      const quotas = createQuotaStore(executor, { database });
      await inBatches(
        Array.from({ length: TENANTS }, (_, i) => i),
        20,
        (i) =>
          quotas.put({
            tenant: tenant(i),
            gpuModel: '',
            gpuMilli: 1000 + i,
            cpuMillicores: 0,
            memoryBytes: 0,
            updatedAtMs: NOW,
            updatedBy: 'test',
          }),
      );
      // Budgets, alerts and recommendations of every tenant, and a node alert no tenant may see.
      const budgets = createBudgetStore(executor, { database });
      await inBatches(SAMPLE, 10, async (i) => {
        await budgets.set({
          id: `tenant/${tenant(i)}`,
          scope: 'tenant',
          scopeValue: tenant(i),
          period: 'monthly',
          amountUsd: 100 + i,
          thresholdsPct: [50, 100],
          updatedAtMs: NOW - 1000,
          updatedBy: 'test',
        });
      });
      // The ledger closed the window: a budget's spend is the ledger's (no open-hour tail to price).
      await writeJobState(executor, database, COST_LEDGER_JOB, { watermarkMs: NOW, closedBeforeMs: NOW }, NOW);
      await createAlertStore(executor, { database }).write([
        ...Array.from({ length: TENANTS }, (_, i) =>
          alertOf(tenant(i), { tenant: tenant(i), namespace: `ns-${tenant(i)}` }),
        ),
        alertOf('node', { node: 'node-1', gpu: 'GPU-1' }),
      ]);
      await createRecommendationStore(executor, { database }).writeContents(
        Array.from({ length: TENANTS }, (_, i) => recommendationOf(i)),
      );
      // Identities come as OIDC JWTs from an issuer of the test's own (JWKS over HTTP): no store lookup per request.
      issuer = await startTestIssuer();
      h = await startApi(executor, testApiOptions(database, { oidc: issuer.config }), () => NOW);
      for (const role of TENANT_ROLES)
        for (let i = 0; i < TENANTS; i++)
          tokens.set(
            `${role.name}/${i}`,
            await issuer.sign({ sub: `${role.name}@${tenant(i)}`, role: role.name, tenant: tenant(i) }),
          );
      // A token of the API's own works alongside, for the same scope.
      expect((await h.get('/v1/quotas', await h.token('quota-viewer', { tenant: tenant(7) }))).body).toMatchObject({
        quotas: [{ tenant: tenant(7) }],
      });
      // Each tenant leaves audit records of its own before the matrix reads the audit log.
      await inBatches(
        Array.from({ length: TENANTS }, (_, i) => i),
        concurrency,
        async (i) => {
          await h.get('/v1/allocation?window=24h', tokens.get(`viewer/${i}`));
        },
      );
      await h.api.audit.flush();
    });
    afterAll(async () => {
      await h?.close();
      await issuer?.close();
      // Cleanup only: a slow DROP on a loaded server must not fail what was tested.
      await executor
        ?.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`)
        .catch((error: unknown) => console.warn(`could not drop ${database}: ${String(error)}`));
      await executor?.close();
    });

    for (const route of ROUTES) {
      it(`${route.name}: every role and tenant sees its own, or the same 403`, async () => {
        const asked = route.tenants ?? Array.from({ length: TENANTS }, (_, i) => i);
        const cases = TENANT_ROLES.flatMap((role) => asked.map((i) => ({ role, i })));
        const forbidden = new Set<string>();
        let served = 0;
        await inBatches(cases, concurrency, async ({ role, i }) => {
          const token = tokens.get(`${role.name}/${i}`);
          const r = await h.send<Record<string, unknown>>(route.method, route.path(i), token, route.body?.(i));
          if (role.permissions.includes(route.permission)) {
            expect(r.status, `${role.name} ${tenant(i)}: ${r.text.slice(0, 200)}`).toBe(route.status ?? 200);
            route.check(i, r);
            served += 1;
          } else {
            expect(r.status, `${role.name} ${tenant(i)}`).toBe(403);
            forbidden.add(r.text.replace(role.name, '<role>'));
          }
        });
        const allowed = TENANT_ROLES.filter((r) => r.permissions.includes(route.permission)).length;
        expect(served).toBe(allowed * asked.length);
        expect(forbidden.size).toBeLessThanOrEqual(1);
      }, 600_000);
    }
  });
}
