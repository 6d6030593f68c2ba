/**
 * Every dashboard's panel and variable queries, expanded as Grafana with the ClickHouse plugin
 * expands them (dashboards/grafana-macros.ts), run on a store holding the cost fleet of
 * cost-fleet-kit.ts (real GPU captures, pods, model-server samples) written through the ingest
 * writers, with the rollup, telemetry-gap and cost-ledger jobs run as the pipeline runs them. Each
 * query must return rows whose column types are what its panel needs (DESCRIBE of the query).
 * Run on chDB (test/e2e) and the ClickHouse 18.16 server (test/integration).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNvidiaSmiGpuCsv } from '../../collectors/nvidia-smi/parse-csv.ts';
import type { DeliveredRecord, GpuSampleBatch } from '../../contracts/index.ts';
import { DASHBOARDS } from '../../dashboards/all-dashboards.ts';
import type { DashboardSpec, PanelSpec } from '../../dashboards/dashboard-spec.ts';
import { ALL_VALUE, expandPanelSql, type PanelQueryContext } from '../../dashboards/grafana-macros.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { parsePriceCatalog } from '../../pipeline/cost/price-catalog.ts';
import { packGpuSampleBatch } from '../../pipeline/ingest/packed-gpu-batch.ts';
import { createStoreWriters } from '../../pipeline/ingest/store-writers.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import { createRuleJob } from '../../pipeline/rules/rule-job.ts';
import { DEFAULT_RULES_CONFIG } from '../../pipeline/rules/rules-config.ts';
import { NOOP_ALERT_OBSERVER } from '../../pipeline/self-metrics/alert-metrics.ts';
import { createBudgetStore } from '../../pipeline/store/budget-store.ts';
import { createRecommenderJob } from '../../scheduler/recommender/recommender-job.ts';
import { createRollupJob, DEFAULT_ROLLUP_JOB_CONFIG } from '../../pipeline/jobs/rollup-job.ts';
import { createTelemetryGapJob, DEFAULT_TELEMETRY_GAP_JOB_CONFIG } from '../../pipeline/jobs/telemetry-gap-job.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { ident, raw, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { rawStatement } from '../helpers/raw-statement.ts';
import { testLogger } from '../helpers/services.ts';
import {
  FLEET_CATALOG_YAML,
  FLEET_COST_CONFIG_YAML,
  FLEET_TRUTH_PER_HOUR as TRUTH,
  fleetBatches,
  fleetModelSamples,
  fleetPodEvents,
  HOUR_MS,
  T0,
} from './cost-fleet-kit.ts';

/** When the jobs run: 20 minutes after the fleet's last sample (its agents are silent by then). */
const CLOCK = T0 + 2 * HOUR_MS + 20 * 60_000;
/** The fleet's two hours up to the jobs' clock, as a dashboard's time range; the interval Grafana would pick. */
const RANGE = { fromMs: T0, toMs: CLOCK, intervalMs: 30_000 };

/**
 * One more node beside the cost fleet: the real capture of an RTX 2080 SUPER held at its software
 * power cap (the only capture with a throttle reason other than gpu_idle), every 30 s for the range.
 */
function powerCappedNode(): GpuSampleBatch[] {
  const csv = readFixture(
    'nvidia-smi-csv',
    'nvgpuexp__linux-x86_64__nvidia-geforce-rtx-2080-super__595.71.05__idle__query-gpu.csv',
  );
  return Array.from({ length: 241 }, (_, seq) => {
    const t = T0 + seq * 30_000;
    const { samples } = parseNvidiaSmiGpuCsv(csv, t);
    return {
      schemaVersion: 1,
      agentId: 'agent-rtx-0',
      bootId: 'boot-1',
      seq,
      cluster: 'prod',
      node: 'rtx-0',
      collectedAtMs: t,
      source: 'nvidia-smi-csv',
      samples,
      processes: [],
    };
  });
}

const at = (i: number): DeliveredRecord => ({
  topic: 'dashboards',
  partition: 0,
  offset: String(i),
  key: null,
  value: '',
  timestampMs: T0,
});

/** What a ClickHouse type is to a panel (Nullable and LowCardinality looked through). */
function kindOf(type: string): string {
  const bare = type
    .replace(/^(Nullable|LowCardinality)\((.*)\)$/, '$2')
    .replace(/^(Nullable|LowCardinality)\((.*)\)$/, '$2');
  if (/^DateTime/.test(bare)) return 'time';
  if (/^(U?Int\d+|Float\d+|Decimal)/.test(bare)) return 'number';
  if (/^(String|FixedString|Enum)/.test(bare)) return 'string';
  return bare;
}

export function describeDashboardQueries(name: string, open: () => Promise<SqlExecutor>): void {
  describe(`dashboard panel queries: ${name}`, () => {
    let executor: SqlExecutor;
    const database = `t_dash_${randomBytes(6).toString('hex')}`;
    const run = async (text: string) => executor.query<Record<string, unknown>>(rawStatement(text));
    const context = (variables: PanelQueryContext['variables']): PanelQueryContext => ({
      ...RANGE,
      variables: { database, ...variables },
    });
    const allSelected = (d: DashboardSpec) =>
      Object.fromEntries(d.variables.filter((v) => v.sql !== null).map((v) => [v.name, ALL_VALUE]));

    beforeAll(async () => {
      executor = await open();
      const store = createTelemetryStore(executor, { database });
      await store.migrate();
      const clock = CLOCK;
      const writers = createStoreWriters(store, () => clock);
      const batches = [...fleetBatches(), ...powerCappedNode()];
      expect(batches.at(-1)?.samples[0]?.throttleReasons).toContain('sw_power_cap');
      await writers.gpuSamples(batches.map((b, i) => ({ record: packGpuSampleBatch(b), from: at(i) })));
      await writers.podEvents(fleetPodEvents().map((record, i) => ({ record, from: at(i) })));
      await writers.modelServerSamples(fleetModelSamples().map((record, i) => ({ record, from: at(i) })));
      const now = () => clock;
      await createRollupJob({ executor, now }, { ...DEFAULT_ROLLUP_JOB_CONFIG, database }).run();
      await createTelemetryGapJob({ executor, now }, { ...DEFAULT_TELEMETRY_GAP_JOB_CONFIG, database }).run();
      const catalog = parsePriceCatalog(FLEET_CATALOG_YAML, 'fleet catalog');
      const cost = parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet config');
      const logger = testLogger('dashboards');
      await createCostLedgerJob({ executor, database, catalog, options: { cost } }, { now, logger }).run();
      // The consumers of the ledger as the pipeline runs them: anomaly rules, budgets, the recommender.
      await createRuleJob(
        {
          executor,
          database,
          now,
          logger,
          observer: NOOP_ALERT_OBSERVER,
          pricing: { prices: createPriceLookup(catalog), cost },
          receivers: [],
        },
        DEFAULT_RULES_CONFIG,
      ).run();
      const budgets = createBudgetStore(executor, { database });
      for (const [scope, scopeValue, period, amountUsd] of [
        ['tenant', 'acme', 'monthly', 1000],
        ['namespace', 'research', 'weekly', 10],
      ] as const)
        await budgets.set({
          id: `${scope}/${scopeValue}`,
          scope,
          scopeValue,
          period,
          amountUsd,
          thresholdsPct: [50, 80, 100],
          updatedAtMs: clock,
          updatedBy: 'test',
        });
      await createRecommenderJob({ executor, database, catalog, cost }, { now, logger }).run();
    }, 300_000);

    afterAll(async () => {
      await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await executor.close();
    });

    const modern = (panel: PanelSpec) => panel.needsClickHouse !== undefined && executor.dialect === 'clickhouse-18';

    /** The one value of a panel's single-row result with All selected. */
    const single = async (uid: string, title: string): Promise<number> => {
      const d = DASHBOARDS.find((x) => x.uid === uid);
      const panel = d?.panels.find((p) => p.title === title);
      if (!d || !panel) throw new Error(`no panel "${title}" on ${uid}`);
      const rows = await run(expandPanelSql(panel.sql, context(allSelected(d))));
      expect(rows).toHaveLength(1);
      return Number(Object.values(rows[0] ?? {})[0]);
    };

    it('the numbers on the panels are the fleet’s hand-computed truth (2 hours)', async () => {
      // 8 A800 + 3 V100 + 1 A100 (MIG) + 1 T4 + the RTX 2080 SUPER
      expect(await single('gpu-ledger-fleet', 'GPUs reporting')).toBe(14);
      expect(await single('gpu-ledger-cost', 'GPU cost')).toBeCloseTo(2 * TRUTH.fleetUsd, 6);
      expect(await single('gpu-ledger-cost', 'Unallocated idle')).toBeCloseTo(2 * TRUTH.tenants.__idle__, 6);
      expect(await single('gpu-ledger-cost', 'Allocated but unused')).toBeCloseTo(2 * TRUTH.wasteUsd, 6);
    });

    it('budget burn and unallocated share are the fleet’s hand-computed figures', async () => {
      const d = DASHBOARDS.find((x) => x.uid === 'gpu-ledger-budgets-alerts');
      const panel = d?.panels.find((p) => p.title === 'Budgets: burn and forecast');
      const rows = await run(expandPanelSql(panel?.sql ?? '', context({ tenant: ALL_VALUE })));
      const byId = Object.fromEntries(rows.map((r) => [String(r['budget_id']), r]));
      // acme: qwen + densenet = $14.76 an hour, 2 hours of November: 2.952% of $1000.
      expect(Number(byId['tenant/acme']?.['spend_usd'])).toBeCloseTo(29.52, 6);
      expect(Number(byId['tenant/acme']?.['used_pct'])).toBeCloseTo(2.952, 6);
      // research: train-a (2 A800 × 2700 s at $0.001/GPU-s = $5.40) and mig-infer (3g.40gb: 3/7 × $3.60) an hour,
      // twice, against $10 this week.
      expect(Number(byId['namespace/research']?.['used_pct'])).toBeCloseTo(2 * (5.4 + (3 / 7) * 3.6) * 10, 6);
      // Idle GPU-seconds an hour: A800 9000 + V100 7200 + A100 (4/7)·3600 + T4 1800, of 13 GPUs × 3600.
      expect(await single('gpu-ledger-scheduler', 'Unallocated GPUs')).toBeCloseTo(
        (100 * (9000 + 7200 + (4 / 7) * 3600 + 1800)) / (13 * 3600),
        6,
      );
    });

    it('cost panels read one computation per window: retried inserts and older or unfinished computations never add up', async () => {
      const ledger = sql`${ident(database)}.cost_ledger`;
      const before = await single('gpu-ledger-cost', 'GPU cost');
      // A retried insert (identical rows again), an older computation at double the cost, and a newer
      // one that died before registering its window: none of them may change the panel.
      await executor.command(sql`INSERT INTO ${raw(ledger)} SELECT * FROM ${raw(ledger)}`);
      const columns =
        'window_start, window_start_ms, window_end_ms, cluster, node, gpu_model, pricing_tier, bucket, namespace, pod, pod_uid, tenant, team, workload, model, label_keys, label_values, allocated_gpu_seconds, used_gpu_seconds, price_usd_per_gpu_hour';
      for (const shift of ['- 1', '+ 1']) {
        await executor.command(
          rawStatement(
            `INSERT INTO ${database}.cost_ledger (${columns}, cost_usd, waste_usd, computed_at_ms) SELECT ${columns}, cost_usd * 2, waste_usd * 2, computed_at_ms ${shift} FROM ${database}.cost_ledger`,
          ),
        );
      }
      expect(await single('gpu-ledger-cost', 'GPU cost')).toBeCloseTo(before, 9);
    });

    for (const d of DASHBOARDS) {
      it.each(d.variables.filter((v) => v.sql !== null).map((v) => [v.name, v] as const))(
        `${d.uid}: variable %s lists string values`,
        async (_, v) => {
          const text = expandPanelSql(v.sql ?? '', context(allSelected(d)));
          const columns = await run(`DESCRIBE TABLE (${text})`);
          expect(columns.map((c) => kindOf(String(c['type'])))).toEqual(['string']);
          expect((await run(text)).length).toBeGreaterThan(0);
        },
      );

      it.each(d.panels.map((p) => [p.title, p] as const))(
        `${d.uid}: panel "%s" returns the columns its panel needs, with All selected`,
        async (_, panel) => {
          if (modern(panel)) return;
          const text = expandPanelSql(panel.sql, context(allSelected(d)));
          const columns = await run(`DESCRIBE TABLE (${text})`);
          expect(
            columns.map((c) => kindOf(String(c['type']))),
            text,
          ).toEqual(panel.columns);
          const rows = await run(text);
          expect(rows.length, text).toBeGreaterThan(0);
        },
      );

      it(`${d.uid}: every panel runs with each variable's first value selected`, async () => {
        const chosen: Record<string, string[]> = {};
        for (const v of d.variables.filter((x) => x.sql !== null)) {
          const values = await run(expandPanelSql(v.sql ?? '', context({ ...allSelected(d), ...chosen })));
          // The first real value (not a bucket like __idle__), so the panels below have rows to filter.
          const first = values.map((r) => Object.values(r)[0]).find((x) => !String(x).startsWith('__'));
          expect(typeof first, v.name).toBe('string');
          chosen[v.name] = [String(first).replace(/'/g, "\\'")];
        }
        for (const panel of d.panels.filter((p) => !modern(p))) {
          const text = expandPanelSql(panel.sql, context(chosen));
          expect(text).not.toMatch(/\$__conditionalAll|\$\{?\w+\}?/);
          await run(text); // a filter that matches nothing may return no rows; it must still run
        }
      });
    }
  });
}
