/**
 * Conformance suite of the cost ledger tables (migration 020, cost-store.ts), run on chDB
 * (pipeline/store/cost-store.test.ts) and on the ClickHouse 18.16 server
 * (test/integration/cost-store-clickhouse.test.ts): a recomputation replaces a window, merged or not.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDLE_BUCKET, type CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { createCostStore, type CostStore, type LedgerComputation } from '../../pipeline/store/cost-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { ident, sql, SqlValueError } from '../../pipeline/store/sql.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';

const W1 = Date.UTC(2026, 10, 2, 10);
const W2 = W1 + 3_600_000;
const W3 = W2 + 3_600_000;

const row = (windowStartMs: number, o: Partial<CostLedgerRow>): CostLedgerRow => ({
  schemaVersion: 1,
  windowStartMs,
  windowEndMs: windowStartMs + 3_600_000,
  cluster: 'c1',
  node: 'n1',
  gpuModel: 'H100',
  pricingTier: 'on-demand',
  bucket: 'workload',
  namespace: 'ml',
  pod: 'train-0',
  podUid: 'uid-train-0',
  tenant: 'alpha',
  team: 'vision',
  workload: 'train',
  model: '',
  labels: {},
  allocatedGpuSeconds: 3600,
  usedGpuSeconds: 1800,
  priceUsdPerGpuHour: 2,
  costUsd: 2,
  wasteUsd: 1,
  ...o,
});
const idle = (windowStartMs: number, costUsd: number): CostLedgerRow =>
  row(windowStartMs, {
    bucket: 'idle',
    namespace: IDLE_BUCKET,
    pod: IDLE_BUCKET,
    podUid: IDLE_BUCKET,
    tenant: IDLE_BUCKET,
    team: IDLE_BUCKET,
    workload: IDLE_BUCKET,
    usedGpuSeconds: 0,
    wasteUsd: 0,
    costUsd,
    allocatedGpuSeconds: costUsd * 1800,
  });
const LABELS = { team: "O'Brien\\x", 'app.kubernetes.io/name': 'trainer' };
/** W1 recomputed: the pod now maps to tenant beta (another key), and idle is cheaper. */
const W1_AGAIN = (): CostLedgerRow[] => [
  row(W1, { tenant: 'beta', costUsd: 2.5, wasteUsd: 1.25, labels: LABELS }),
  idle(W1, 0.5),
];
const computation = (windowStartMs: number, computedAtMs: number, rows: CostLedgerRow[]): LedgerComputation => ({
  cluster: 'c1',
  windowStartMs,
  windowEndMs: windowStartMs + 3_600_000,
  computedAtMs,
  rows,
  fleetCostUsd: rows.reduce((s, r) => s + r.costUsd, 0),
  problems: [],
});

export function describeCostStoreSuite(name: string, open: () => Promise<SqlExecutor>): void {
  describe(`cost ledger tables: ${name}`, () => {
    let executor: SqlExecutor;
    let store: CostStore;
    const database = `t_cost_${randomBytes(6).toString('hex')}`;
    const all = { fromMs: W1, toMs: W3 };
    const byTenant = async () =>
      Object.fromEntries(
        (await store.aggregate(all, ['tenant'])).map((g) => [`${g.bucket}:${g.keys[0] ?? ''}`, g.costUsd]),
      );
    const rawCount = async () =>
      Number((await executor.query<{ n: string }>(sql`SELECT count() AS n FROM ${ident(database)}.cost_ledger`))[0]?.n);

    beforeAll(async () => {
      executor = await open();
      await createTelemetryStore(executor, { database }).migrate();
      store = createCostStore(executor, { database });
      await store.write(computation(W1, 100, [row(W1, { labels: LABELS }), idle(W1, 1)]));
      await store.write(computation(W2, 100, [row(W2, { model: 'llama-3-8b' })]));
      await store.write(computation(W1, 200, W1_AGAIN()));
    });
    afterAll(async () => {
      await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await executor.close();
    });

    it('reads only the latest computation of each window: no double count, no stale rows', async () => {
      expect(await byTenant()).toEqual({ 'workload:beta': 2.5, 'workload:alpha': 2, [`idle:${IDLE_BUCKET}`]: 0.5 });
      const rows = await store.rows(all);
      expect(rows.map((r) => [r.windowStartMs, r.bucket, r.tenant, r.costUsd])).toEqual([
        [W1, 'workload', 'beta', 2.5],
        [W1, 'idle', IDLE_BUCKET, 0.5],
        [W2, 'workload', 'alpha', 2],
      ]);
      expect(
        (await store.windows(all)).map((w) => [w.windowStartMs, w.computedAtMs, w.rowCount, w.fleetCostUsd]),
      ).toEqual([
        [W1, 200, 2, 3],
        [W2, 100, 1, 2],
      ]);
    });

    it('counts a retried insert of a computation once, and ignores one that never registered', async () => {
      await store.write(computation(W1, 200, W1_AGAIN()));
      await executor.insert(`${database}.cost_ledger`, [
        {
          window_start: W1 / 1000,
          window_start_ms: W1,
          window_end_ms: W2,
          cluster: 'c1',
          node: 'n9',
          bucket: 'idle',
          cost_usd: 1000,
          computed_at_ms: 300,
        },
      ]);
      expect(await rawCount()).toBe(8);
      expect(await byTenant()).toEqual({ 'workload:beta': 2.5, 'workload:alpha': 2, [`idle:${IDLE_BUCKET}`]: 0.5 });
      expect((await store.windows(all)).map((w) => w.computedAtMs)).toEqual([200, 100]);
    });

    it('gives the same answers after the parts are merged', async () => {
      await executor.command(sql`OPTIMIZE TABLE ${ident(database)}.cost_ledger FINAL`);
      await executor.command(sql`OPTIMIZE TABLE ${ident(database)}.cost_ledger_windows FINAL`);
      expect(await rawCount()).toBeLessThan(8);
      expect(await byTenant()).toEqual({ 'workload:beta': 2.5, 'workload:alpha': 2, [`idle:${IDLE_BUCKET}`]: 0.5 });
    });

    it('groups by labels, pod and model, keeping idle its own bucket; labels round-trip', async () => {
      const groups = await store.aggregate(all, ['label:team', 'label:app.kubernetes.io/name', 'pod', 'model']);
      expect(groups.map((g) => [g.bucket, ...g.keys, g.costUsd])).toEqual([
        ['workload', "O'Brien\\x", 'trainer', 'ml/train-0', '__unallocated__', 2.5],
        ['workload', '__unallocated__', '__unallocated__', 'ml/train-0', 'llama-3-8b', 2],
        ['idle', IDLE_BUCKET, IDLE_BUCKET, IDLE_BUCKET, IDLE_BUCKET, 0.5],
      ]);
      expect((await store.rows({ fromMs: W1, toMs: W2 }))[0]?.labels).toEqual(LABELS);
      await expect(store.aggregate(all, ["label:x') OR 1=1 --"])).rejects.toThrow(SqlValueError);
      await expect(store.aggregate(all, ['nodes' as 'node'])).rejects.toThrow(/unknown group key "nodes"/);
    });

    it('covers whole windows only and filters by cluster', async () => {
      expect((await store.rows({ fromMs: W1 + 1, toMs: W3 })).map((r) => r.windowStartMs)).toEqual([W2]);
      expect(await store.rows({ fromMs: W1, toMs: W3, cluster: 'c2' })).toEqual([]);
      expect((await store.podCosts(all)).map((p) => [p.podUid, p.tenant, p.costUsd])).toEqual([
        ['uid-train-0', 'alpha', 2],
        ['uid-train-0', 'beta', 2.5],
      ]);
    });

    it('sums a dimension per window (the cost-spike rule), latest computation only', async () => {
      expect((await store.windowCosts(all, 'tenant')).map((c) => [c.windowStartMs, c.value, c.costUsd])).toEqual([
        [W1, IDLE_BUCKET, 0.5],
        [W1, 'beta', 2.5],
        [W2, 'alpha', 2],
      ]);
    });
  });
}
