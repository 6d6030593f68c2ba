/**
 * Figure for the API (issue 16): /v1/allocation over 30 days × 1,000 GPUs in ClickHouse, and simple
 * reads under concurrent clients. A fresh database on the shared ClickHouse server gets 31 days of a
 * 1,000-GPU ledger (bench/api-ledger-data.ts); the API runs in-process on an ephemeral port, over
 * HTTP with real tokens (cached as in production), every request audited.
 *
 * Measured, in this order:
 *  1. baseline: allocation 30d by namespace with no daily pre-aggregation (hourly ledger only);
 *  2. the daily pre-aggregation refreshed (as every ledger write does), then, with the API's read
 *     cache OFF (every request runs its queries): allocation 30d by namespace / by tenant,team / for
 *     one tenant, `--requests` sequential requests; simple reads (the last hour by namespace with a
 *     tenant's token, quotas, model cost) at `--clients` concurrent clients;
 *  3. the same with the read cache ON (the default, pipeline/store/validated-read-cache.ts): the ledger
 *     is not written meanwhile, as between the pipeline's hourly ledger writes, so every repeat is a
 *     hit that still checks the tables' parts. The last line is this run; the line before it, run 2.
 *
 * Run: `npm run bench:api [-- --requests 60 --clients 10]`. Prints the figure last.
 */
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { BUILT_IN_ROLES } from '../api/auth/permissions.ts';
import { createApi } from '../api/create-api.ts';
import { DEFAULT_COST_CONFIG } from '../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../pipeline/cost/price-lookup.ts';
import { createClickHouseServerExecutor } from '../pipeline/store/clickhouse-server-executor.ts';
import { createCostLedgerDays, DAY_MS } from '../pipeline/store/cost-ledger-days.ts';
import { ident, sql } from '../pipeline/store/sql.ts';
import { createTelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { generateLedger, GPUS_PER_NODE, NODES } from './api-ledger-data.ts';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '60' },
    clients: { type: 'string', default: '10' },
    'simple-requests': { type: 'string', default: '300' },
    url: { type: 'string', default: process.env['GPU_LEDGER_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:18123' },
    keep: { type: 'boolean', default: false },
  },
});
const HOUR_MS = 3_600_000;
const DAYS = 31;
// The ledger ends at 14:00 UTC, so a 30-day window has part-days at both ends (read hourly).
const END = Date.UTC(2026, 10, 20, 14);
const NOW = END + 20 * 60_000;
const database = `bench_api_${Date.now().toString(36)}`;

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};
const ms = (x: number) => x.toFixed(0);

const executor = createClickHouseServerExecutor({ url: args.url, requestTimeoutMs: 120_000 });
const logger = pino({ level: 'warn' });
try {
  await createTelemetryStore(executor, { database }).migrate();
  let t = performance.now();
  const rows = await generateLedger(executor, database, END, DAYS * 24, NOW - HOUR_MS);
  console.log(
    `ledger: ${rows} rows (${DAYS} days × ${NODES * GPUS_PER_NODE} GPUs, ${NODES} nodes) generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const startApi = async (readCacheEntries: number) => {
    const api = createApi(
      executor,
      {
        database,
        roles: BUILT_IN_ROLES,
        oidc: null,
        tokenCacheMs: 5000,
        readCacheEntries,
        audit: { maxPending: 1_000_000, flushIntervalMs: 200, spoolPath: null },
        limits: { maxWindowHours: 400 * 24, maxRows: 10_000 },
        rateLimit: { windowMs: 60_000, max: 1_000_000 },
        corsOrigins: [],
        focus: { billingAccountId: 'bench', billingAccountName: 'bench' },
        version: 'bench',
        pricing: { prices: createPriceLookup(loadPriceCatalog()), cost: DEFAULT_COST_CONFIG },
      },
      { logger, now: () => NOW },
    );
    const server = api.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = async (role: string, tenant: string | null) =>
      (
        await api.tokens.create({
          name: 'bench',
          role,
          scope: { tenant, team: null, namespace: null },
          expiresAtMs: 0,
          createdBy: 'bench',
        })
      ).token;
    const tokens = { platform: await token('platform-viewer', null), tenant: await token('viewer', 'tenant-7') };
    const get = async (path: string, bearer: string): Promise<{ ms: number; body: Record<string, unknown> }> => {
      const started = performance.now();
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${bearer}` } });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return { ms: performance.now() - started, body };
    };
    const close = async () => {
      await api.audit.flush();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await api.close(5000);
    };
    return { get, tokens, close };
  };
  type Client = Awaited<ReturnType<typeof startApi>>;

  const allocations = (c: Client): readonly [string, string][] => [
    ['/v1/allocation?window=30d&aggregate=namespace', c.tokens.platform],
    ['/v1/allocation?window=30d&aggregate=tenant,team&includeIdle=true', c.tokens.platform],
    ['/v1/allocation?window=30d&aggregate=namespace&shareIdle=true', c.tokens.tenant],
  ];
  const run = async (c: Client, n: number) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const [path, bearer] = allocations(c)[i % 3]!;
      times.push((await c.get(path, bearer)).ms);
    }
    return times;
  };
  const simpleReads = async (c: Client) => {
    const simple: readonly [string, string][] = [
      ['/v1/allocation?window=1h&aggregate=namespace', c.tokens.tenant],
      ['/v1/quotas?window=1h', c.tokens.tenant],
      ['/v1/models/cost?window=1h', c.tokens.tenant],
    ];
    const times: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = next++; i < total; i = next++) {
          const [path, bearer] = simple[i % simple.length]!;
          times.push((await c.get(path, bearer)).ms);
        }
      }),
    );
    return times;
  };
  const requests = Number(args.requests);
  const clients = Number(args.clients);
  const total = Number(args['simple-requests']);

  const uncached = await startApi(0);
  const baseline = await run(uncached, Math.max(6, Math.floor(requests / 5)));
  console.log(
    `baseline (hourly ledger only, no read cache): allocation 30d p50 ${ms(quantile(baseline, 0.5))} ms, p95 ${ms(quantile(baseline, 0.95))} ms over ${baseline.length} requests`,
  );

  t = performance.now();
  const days = createCostLedgerDays(executor, { database });
  for (let d = Math.floor((END - DAYS * 24 * HOUR_MS) / DAY_MS); d * DAY_MS < END; d++)
    await days.refresh('bench', d * DAY_MS, NOW);
  console.log(
    `daily pre-aggregation of ${DAYS + 1} days refreshed in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const check = await uncached.get(allocations(uncached)[0]![0], uncached.tokens.platform);
  console.log(
    `allocation 30d by namespace: ${Object.keys((check.body['data'] as object[])[0] ?? {}).length} allocations, ${JSON.stringify((check.body['meta'] as { daysPreAggregated: number }).daysPreAggregated)} days pre-aggregated`,
  );
  await run(uncached, 3);
  const coldAllocation = await run(uncached, requests);
  const coldSimple = await simpleReads(uncached);
  await uncached.close();
  console.log(
    `no read cache (every request runs its queries): allocation 30d p50 ${ms(quantile(coldAllocation, 0.5))} ms, p95 ${ms(quantile(coldAllocation, 0.95))} ms; simple reads p50 ${ms(quantile(coldSimple, 0.5))} ms, p95 ${ms(quantile(coldSimple, 0.95))} ms`,
  );

  // The default API: the read cache on. The ledger is not written during the run (as between the
  // pipeline's hourly ledger writes), so after each request's first answer every repeat is a hit.
  const cached = await startApi(512);
  const timed = await run(cached, requests);
  const simpleTimes = await simpleReads(cached);
  await cached.close();
  console.log(
    `read cache on: allocation 30d p50 ${ms(quantile(timed, 0.5))} ms over ${timed.length} requests (3 aggregations, platform and tenant tokens, first of each a miss); simple reads p50 ${ms(quantile(simpleTimes, 0.5))} ms, p99 ${ms(quantile(simpleTimes, 0.99))} ms over ${simpleTimes.length} requests`,
  );
  console.log(
    `api: allocation 30d p95 ${ms(quantile(timed, 0.95))} ms, p99 ${ms(quantile(timed, 0.99))} ms; simple reads p95 ${ms(quantile(simpleTimes, 0.95))} ms at ${clients} concurrent clients`,
  );
} finally {
  if (!args.keep) await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  await executor.close();
}
