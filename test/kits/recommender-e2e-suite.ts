/**
 * End-to-end suite of the recommender: the fleet of recommender-fleet-kit.ts (real captures, real
 * gentd26 series) written through the ingest mapping into the real tables, its rollups and cost
 * ledger computed as the pipeline computes them, then the recommender job run as the pipeline runs
 * it. Every recommendation's $ is checked by hand against config/prices/default.yaml; then decisions,
 * the fleet's later hours (the recommended shapes appear), realisation with the ledger's $, adoption,
 * and expiry. Run on chDB (test/e2e/recommender-embedded.test.ts) and on the ClickHouse 18.16 server
 * (test/integration/recommender-clickhouse.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recommendation } from '../../contracts/recommendation.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { createRecommendationStore, type RecommendationStore } from '../../pipeline/store/recommendation-store.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { adoptionReport } from '../../scheduler/recommender/adoption-report.ts';
import { decide } from '../../scheduler/recommender/decisions.ts';
import { createRecommenderJob, readRecommendations } from '../../scheduler/recommender/recommender-job.ts';
import { testLogger } from '../helpers/services.ts';
import { CHANGE_AT, FLEET_COST_CONFIG_YAML, HOUR_MS, insertRecommenderFleet, T0 } from './recommender-fleet-kit.ts';

const MIN = 60_000;
// config/prices/default.yaml, on-demand
const USD = { a100: 5.12071875, v100: 3.9015, l40s: 1.861 };

/** kind, namespace/workload (or node), recommended model and request. */
const summary = (r: Recommendation) => [
  r.kind,
  r.kind === 'consolidate' ? r.target.node : `${r.target.namespace}/${r.target.workload}`,
  r.recommended.gpuModel,
  JSON.stringify(r.recommended.gpuRequest),
];

export function describeRecommenderEndToEnd(name: string, open: () => Promise<SqlExecutor>): void {
  describe(`recommender end to end: ${name}`, () => {
    let executor: SqlExecutor;
    let store: RecommendationStore;
    const database = `t_recommend_${randomBytes(6).toString('hex')}`;
    let clock = 0;
    const deps = { now: () => clock, logger: testLogger('recommender') };
    const source = () => ({
      executor,
      database,
      catalog: loadPriceCatalog(),
      cost: parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet'),
    });
    const ledger = () => createCostLedgerJob({ ...source(), options: { cost: source().cost } }, deps);
    const recommender = () => createRecommenderJob(source(), deps);
    const byKind = async () =>
      (await readRecommendations(store)).sort((a, b) =>
        JSON.stringify(summary(a)) < JSON.stringify(summary(b)) ? -1 : 1,
      );

    beforeAll(async () => {
      executor = await open();
      const telemetry = createTelemetryStore(executor, { database });
      await telemetry.migrate();
      store = createRecommendationStore(executor, { database });
      await insertRecommenderFleet(telemetry);
      clock = T0 + 8 * HOUR_MS + 15 * MIN;
      expect((await ledger().run()).windows).toBe(8);
    }, 240_000);
    afterAll(async () => {
      await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await executor.close();
    });

    it('after 8 h: one recommendation of every kind the fleet calls for, each $ by hand', async () => {
      clock = T0 + 8 * HOUR_MS + 20 * MIN;
      const result = await recommender().run();
      expect(result).toMatchObject({ workloads: 6, opened: 7, updated: 0 });
      const recs = await byKind();
      expect(recs.map(summary)).toEqual([
        ['cheaper-gpu', 'genai/sd-serving', 'L40S', '{"kind":"whole","count":1}'],
        ['cheaper-gpu', 'ml/infer-v100', 'L40S', '{"kind":"whole","count":1}'],
        ['consolidate', 'v100-b', 'V100-32GB', '{"kind":"none"}'],
        ['idle-reclaim', 'genai/mig-embed', 'A100-80GB', '{"kind":"none"}'],
        ['idle-reclaim', 'genai/sd-idle', 'A100-80GB', '{"kind":"none"}'],
        ['right-size', 'ml/train', 'A100-80GB', '{"kind":"whole","count":2}'],
        ['share', 'genai/sd-serving', 'A100-80GB', '{"kind":"mig","profile":"3g.40gb","count":1}'],
      ]);
      // (GPU-h × price − GPU-h × price′) / 8 h × 730 h at catalog prices; all pods ran the whole 8 h.
      const byHand = [
        (USD.a100 - USD.l40s) * 730, // 1 A100-80GB → 1 L40S
        (USD.v100 - USD.l40s) * 730, // 1 V100-32GB → 1 L40S
        1 * USD.v100 * 730, // v100-b's one GPU freed
        (2 / 7) * USD.a100 * 730, // a 2g.20gb slice (2 of 7 compute slices) released
        USD.a100 * 730, // 1 idle A100-80GB released
        (4 - 2) * USD.a100 * 730, // 4 → 2 A100-80GB
        (1 - 3 / 7) * USD.a100 * 730, // 1 A100-80GB → 3g.40gb
      ];
      recs.forEach((r, i) => expect(r.estimatedMonthlySavingUsd, summary(r).join(' ')).toBeCloseTo(byHand[i]!, 6));
      // The busiest of train's two devices is above 92% at p95 (371 TFLOPS of an A100's 312 at 80%): no L40S for it.
      expect(recs.some((r) => r.kind === 'cheaper-gpu' && r.target.workload === 'train')).toBe(false);
      const rightSize = recs.find((r) => r.kind === 'right-size');
      expect(rightSize?.target).toMatchObject({
        cluster: 'prod',
        node: 'a800-0',
        tenant: 'globex',
        pod: 'train-7f8b9-q2x7z',
      });
      expect(rightSize?.evidence).toMatchObject({
        hoursObserved: 8,
        allocatedGpuHours: 32,
        devicesUsed: 2,
        gpusNeeded: 2,
      });
      const share = recs.find((r) => r.kind === 'share');
      expect(share?.evidence).toMatchObject({ utilizationP95Pct: 31.13, minutesObserved: 480, migProfile: '3g.40gb' });
      expect(recs.every((r) => r.status === 'open' && r.confidence > 0 && r.confidence <= 1)).toBe(true);
    }, 120_000);

    it('running again updates the same recommendations instead of adding any', async () => {
      const before = (await byKind()).map((r) => r.id);
      clock += MIN;
      expect(await recommender().run()).toMatchObject({ opened: 0, updated: 7 });
      expect((await byKind()).map((r) => r.id)).toEqual(before);
    }, 120_000);

    it('decisions: accept two, dismiss one with a reason; a dismissed one cannot be accepted', async () => {
      const recs = await byKind();
      const id = (kind: string, what: string) => recs.find((r) => summary(r)[0] === kind && summary(r)[1] === what)!.id;
      clock = T0 + 8 * HOUR_MS + 25 * MIN;
      const at = { atMs: clock, actor: 'test' };
      expect((await decide(store, { id: id('right-size', 'ml/train'), to: 'accepted', ...at })).status).toBe(
        'accepted',
      );
      expect(
        (await decide(store, { id: id('idle-reclaim', 'genai/sd-idle'), to: 'accepted', ...at })).acceptedAtMs,
      ).toBe(clock);
      const dismissed = await decide(store, {
        id: id('consolidate', 'v100-b'),
        to: 'dismissed',
        reason: "v100-b hosts the batch queue's nightly run",
        ...at,
      });
      expect([dismissed.status, dismissed.statusReason]).toEqual([
        'dismissed',
        "v100-b hosts the batch queue's nightly run",
      ]);
      await expect(decide(store, { id: id('consolidate', 'v100-b'), to: 'accepted', ...at })).rejects.toThrow(
        'is dismissed: it cannot become accepted',
      );
      await expect(decide(store, { id: id('share', 'genai/sd-serving'), to: 'dismissed', ...at })).rejects.toThrow(
        'needs a reason',
      );
    });

    it("3 h later the accepted shapes appeared: realised, with the ledger's $ before and after", async () => {
      clock = T0 + 11 * HOUR_MS + 15 * MIN;
      expect((await ledger().run()).windows).toBe(3);
      clock = T0 + 11 * HOUR_MS + 20 * MIN;
      await recommender().run();
      const recs = await byKind();
      const realised = recs.filter((r) => r.status === 'realised');
      expect(realised.map((r) => [r.kind, r.target.workload])).toEqual([
        ['idle-reclaim', 'sd-idle'],
        ['right-size', 'train'],
      ]);
      // idle: before 8 GPU-h × $5.12071875 in 8 h, after nothing runs; × 730, to the cent
      expect(realised[0]?.realisedMonthlySavingUsd).toBe(round(USD.a100 * 730));
      // right-size: before 4 GPUs, after (ledger hours 9:00–11:00) the new ReplicaSet's pod on 2
      expect(realised[1]?.realisedMonthlySavingUsd).toBe(round((4 - 2) * USD.a100 * 730));
      expect(recs.find((r) => r.kind === 'consolidate')?.status).toBe('dismissed');
      const report = adoptionReport(recs);
      expect(report.byStatus).toEqual({ open: 4, accepted: 0, dismissed: 1, expired: 0, realised: 2 });
      expect(report.adoptionRate).toBeCloseTo(2 / 3, 10);
      expect(report.realisedEstimatedMonthlySavingUsd).toBeCloseTo(USD.a100 * 730 + 2 * USD.a100 * 730, 6);
      expect(report.realisedMeasuredMonthlySavingUsd).toBeCloseTo(round(USD.a100 * 730) + round(2 * USD.a100 * 730), 6);
      expect(CHANGE_AT).toBeLessThan(clock);
    }, 180_000);

    it('two weeks on, with nothing priced in the lookback, the open ones expire', async () => {
      clock = T0 + 15 * 24 * HOUR_MS;
      expect(await recommender().run()).toMatchObject({ closed: 4 });
      const report = adoptionReport(await byKind());
      expect(report.byStatus).toEqual({ open: 0, accepted: 0, dismissed: 1, expired: 4, realised: 2 });
      expect(report.adoptionRate).toBeCloseTo(2 / 7, 10);
    }, 120_000);
  });
}

const round = (x: number) => Math.round(x * 100) / 100;
