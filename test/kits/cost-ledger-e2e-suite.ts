/**
 * End-to-end suite of the cost ledger: the fleet of cost-fleet-kit.ts written through the ingest
 * mapping into the real tables, the ledger job run as the pipeline runs it, and the report checked
 * to the cent against the hand-computed truth; then every input replayed and the job rerun.
 * Run in embedded mode (test/e2e/cost-ledger-embedded.test.ts, chDB) and against the ClickHouse
 * 18.16 server (test/integration/cost-ledger-clickhouse.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostLedgerRowSchema, IDLE_BUCKET } from '../../contracts/cost-ledger-row.ts';
import { createCostStore, type CostStore } from '../../pipeline/store/cost-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { testLogger } from '../helpers/services.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import type { GpuSampleBatch } from '../../contracts/index.ts';
import {
  FLEET_CATALOG_YAML,
  FLEET_COST_CONFIG_YAML,
  FLEET_TRUTH_PER_HOUR as TRUTH,
  fleetBatches,
  HOUR_MS,
  insertFleet,
  T0,
} from './cost-fleet-kit.ts';
import { parseDcgmMetrics } from '../../collectors/dcgm/parse-dcgm.ts';
import { readH100MigCaptureWithBusyGi7 } from '../helpers/fixtures.ts';
import { toIngestMarks } from '../../pipeline/ingest/to-rows.ts';
import { packGpuSampleBatch } from '../../pipeline/ingest/packed-gpu-batch.ts';
import { createLedgerInputs } from '../../pipeline/store/ledger-inputs-store.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { costReport } from '../../pipeline/cost/cost-report.ts';
import { toFocusCsv } from '../../pipeline/cost/focus-export.ts';
import { modelCost } from '../../pipeline/cost/model-cost.ts';
import { parsePriceCatalog } from '../../pipeline/cost/price-catalog.ts';

const CLOSE_DELAY_MS = 15 * 60_000;
const RANGE = { fromMs: T0, toMs: T0 + 2 * HOUR_MS };

export function describeCostLedgerEndToEnd(name: string, open: () => Promise<SqlExecutor>): void {
  describe(`cost ledger end to end: ${name}`, () => {
    let executor: SqlExecutor;
    let telemetry: TelemetryStore;
    let costs: CostStore;
    const database = `t_ledger_${randomBytes(6).toString('hex')}`;
    let clock = T0 + HOUR_MS + CLOSE_DELAY_MS;
    const job = (yaml = FLEET_COST_CONFIG_YAML) =>
      createCostLedgerJob(
        {
          executor,
          database,
          catalog: parsePriceCatalog(FLEET_CATALOG_YAML, 'fleet catalog'),
          options: { cost: parseCostConfig(yaml, 'fleet config') },
        },
        { now: () => clock, logger: testLogger('cost-ledger') },
      );
    const byTenant = async () => {
      const report = await costReport(costs, { ...RANGE, by: ['tenant'] });
      return {
        report,
        tenants: Object.fromEntries(report.rows.map((r): [string, number] => [r.keys['tenant'] ?? '', r.costUsd])),
      };
    };

    beforeAll(async () => {
      executor = await open();
      telemetry = createTelemetryStore(executor, { database });
      await telemetry.migrate();
      costs = createCostStore(executor, { database });
      await insertFleet(telemetry, T0 + 2 * HOUR_MS + 60_000);
    });
    afterAll(async () => {
      await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await executor.close();
    });

    it('inventory: GPUs seen shortly before or after a window keep its edges; one silent all window is listed when seen on both sides', async () => {
      const W = T0 + 48 * HOUR_MS; // far from the fleet's hours
      const [x, y, z, w] = [
        'GPU-00000000-0000-0000-0000-0000000000b1',
        'GPU-00000000-0000-0000-0000-0000000000b2',
        'GPU-00000000-0000-0000-0000-0000000000b3',
        'GPU-00000000-0000-0000-0000-0000000000b4',
      ];
      const template = fleetBatches()[0]!;
      const at = (node: string, gpuUuid: string, t: number, seq: number): GpuSampleBatch => ({
        ...template,
        cluster: 'bridge',
        node,
        agentId: `agent-${node}`,
        seq,
        collectedAtMs: t,
        processes: [],
        samples: [{ ...template.samples.find((s) => s.kind === 'gpu')!, gpuUuid, observedAtMs: t }],
      });
      const MIN = 60_000;
      const batches = [
        at('n-x', x, W - 10 * MIN, 0),
        at('n-x', x, W + 20 * MIN, 1),
        at('n-x', x, W + 70 * MIN, 2), // agent silent from 0:20 to 1:10
        at('n-y', y, W - 30 * MIN, 0),
        at('n-y', y, W + 90 * MIN, 1), // silent the whole hour
        at('n-z', z, W - 90 * MIN, 0),
        at('n-z', z, W + 10 * MIN, 1), // before is beyond the bridge: appeared at 0:10
        at('n-w', w, W - 5 * MIN, 0), // gone before the window
      ];
      await telemetry.insertGpuBatches(batches.map(packGpuSampleBatch), W + 2 * HOUR_MS);
      const inputs = createLedgerInputs(executor, {
        database,
        maxGapMs: 60_000,
        processSkewMs: 600_000,
        bridgeMs: HOUR_MS,
      });
      const gpus = (await inputs.inventory({ fromMs: W, toMs: W + HOUR_MS })).filter((g) => g.cluster === 'bridge');
      expect(gpus.map((g) => [g.node, g.gpuUuid, g.firstSeenMs, g.lastSeenMs, g.seenBefore, g.seenAfter])).toEqual([
        ['n-x', x, W + 20 * MIN, W + 20 * MIN, true, true],
        ['n-y', y, null, null, true, true],
        ['n-z', z, W + 10 * MIN, W + 10 * MIN, false, false],
      ]);
    });

    it("usage: a pod on a DCGM-monitored MIG instance gets that instance's engine activity", async () => {
      const W = T0 + 72 * HOUR_MS; // far from the fleet's hours
      // The real H100 MIG capture (GIs 7, 8, 9), GI 7's engine made 42.13 % busy; a pod's process on GI 7.
      const text = readH100MigCaptureWithBusyGi7();
      const batches = Array.from({ length: 11 }, (_, seq): GpuSampleBatch => {
        const t = W + seq * 60_000;
        const { samples } = parseDcgmMetrics(text, t);
        const parent = samples.find((x) => x.kind === 'gpu')!.gpuUuid;
        return {
          schemaVersion: 1,
          agentId: 'agent-dcgm',
          bootId: 'boot-1',
          seq,
          cluster: 'mig-dcgm',
          node: 'gsrh100-074',
          collectedAtMs: t,
          source: 'dcgm',
          samples,
          processes: [
            {
              gpuUuid: parent,
              gpuInstanceId: 7,
              computeInstanceId: null,
              pid: 4242,
              processName: 'python',
              usedMemoryBytes: null,
              podUid: 'pod-kserve-7',
              containerId: null,
            },
          ],
        };
      });
      await telemetry.insertGpuBatches(batches.map(packGpuSampleBatch), W + 2 * HOUR_MS); // samples and processes
      const inputs = createLedgerInputs(executor, {
        database,
        maxGapMs: 60_000,
        processSkewMs: 600_000,
        bridgeMs: HOUR_MS,
      });
      const usage = (await inputs.usage({ fromMs: W, toMs: W + HOUR_MS })).filter((u) => u.cluster === 'mig-dcgm');
      // The first sample has no predecessor (it covers nothing); the next ten cover a minute each.
      expect(usage.map((u) => [u.podUid, u.kind, u.model, u.migProfile])).toEqual([
        ['pod-kserve-7', 'mig', 'NVIDIA H100 80GB HBM3', '1g.10gb'],
      ]);
      expect(usage[0]?.busyPctMs).toBeCloseTo(42.13 * 10 * 60_000, 3);
    });

    it('computes each hour once it is closed and catches up after downtime', async () => {
      expect(await job().run()).toMatchObject({
        windows: 1,
        computations: 1,
        problems: 0,
        closedBeforeMs: T0 + HOUR_MS,
      });
      clock = T0 + 2 * HOUR_MS + CLOSE_DELAY_MS; // the pipeline was down for the next run: it catches up
      const second = await job().run();
      expect(second).toMatchObject({ windows: 1, problems: 0, closedBeforeMs: T0 + 2 * HOUR_MS });
      expect(second.fleetCostUsd).toBeCloseTo(TRUTH.fleetUsd, 9);
      expect(await job().run()).toMatchObject({ windows: 0, closedBeforeMs: T0 + 2 * HOUR_MS });
    });

    it('reports tenants, idle and the fleet to the cent of the hand-computed truth', async () => {
      const { report, tenants } = await byTenant();
      for (const [tenant, usd] of Object.entries(TRUTH.tenants))
        expect(tenants[tenant], tenant).toBeCloseTo(2 * usd, 6);
      expect(Object.keys(tenants).sort()).toEqual(['__idle__', 'acme', 'globex', 'initech']);
      const t = report.totals;
      expect(t.costUsd).toBeCloseTo(2 * TRUTH.fleetUsd, 6);
      expect(t.fleetCostUsd).toBeCloseTo(2 * TRUTH.fleetUsd, 6);
      expect(t.workloadCostUsd + t.idleCostUsd).toBeCloseTo(t.fleetCostUsd, 9);
      expect(t.wasteUsd).toBeCloseTo(2 * TRUTH.wasteUsd, 6);
      expect([t.windows, t.problems]).toEqual([2, 0]);
      expect(report.rows.find((r) => r.bucket === 'idle')).toMatchObject({
        keys: { tenant: IDLE_BUCKET },
        efficiency: null,
      });
    });

    it("measures each pod's usage from the deduplicated samples and its processes", async () => {
      const pods = await costReport(costs, { ...RANGE, by: ['pod', 'node', 'gpuModel', 'pricingTier'] });
      const used = Object.fromEntries(
        pods.rows
          .filter((r) => r.bucket === 'workload')
          .map((r): [string, number] => [r.keys['pod'] ?? '', r.usedGpuHours * 3600]),
      );
      expect(used['llm-serving/vllm-qwen-0']).toBeCloseTo(2 * TRUTH.usedGpuSeconds['pod-vllm-qwen'], 6);
      expect(used['research/train-a-x7k2p']).toBeCloseTo(2 * TRUTH.usedGpuSeconds['pod-train-a'], 6);
      expect(used['llm-serving/triton-densenet-0']).toBeCloseTo(2 * TRUTH.usedGpuSeconds['pod-triton-densenet'], 6);
      expect(used['batch/job-b-9q2w1']).toBeCloseTo(2 * TRUTH.usedGpuSeconds['pod-batch-b'], 6);
      expect(used['sandbox/notebook-0']).toBeCloseTo(2 * TRUTH.usedGpuSeconds['pod-notebook'], 6);
      expect(used['research/mig-infer-0']).toBe(0);
      expect(pods.rows.find((r) => r.keys['pod'] === 'llm-serving/triton-densenet-0')).toMatchObject({
        keys: { node: 'v100-0', gpuModel: 'V100-32GB', pricingTier: 'spot' },
        efficiency: 0.7,
      });
      expect(pods.rows.some((r) => r.keys['pod']?.startsWith('kube-system/'))).toBe(false);
    });

    it('stores valid CostLedgerRows that export to FOCUS with the same total', async () => {
      const rows = await costs.rows(RANGE);
      for (const row of rows) expect(CostLedgerRowSchema.safeParse(row).success).toBe(true);
      const csv = toFocusCsv(rows, parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet config').focus)
        .trimEnd()
        .split('\r\n');
      const billed = csv.slice(1).map((line) => Number(line.split(',')[1]));
      expect(billed).toHaveLength(rows.length);
      expect(billed.reduce((a, b) => a + b, 0)).toBeCloseTo(2 * TRUTH.fleetUsd, 6);
    });

    it('gives the same totals after every input is replayed and every window recomputed', async () => {
      const before = await byTenant();
      await insertFleet(telemetry, T0 + 3 * HOUR_MS);
      clock = T0 + 3 * HOUR_MS;
      expect(await job().run({ fromMs: T0, untilMs: T0 + 2 * HOUR_MS })).toMatchObject({ windows: 2, problems: 0 });
      const after = await byTenant();
      expect(after.tenants).toEqual(before.tenants);
      expect(after.report.totals.costUsd).toBe(before.report.totals.costUsd);
      expect(after.report.totals.wasteUsd).toBeCloseTo(before.report.totals.wasteUsd, 9);
    });

    it('prices models per 1M prompt and generated tokens, per tenant, replayed samples counted once', async () => {
      const { perTenant, perModel } = await modelCost(costs, RANGE);
      expect(perTenant.find((r) => r.model === 'Qwen/Qwen2.5-0.5B-Instruct' && r.costKnown)).toMatchObject({
        tenant: 'acme',
        pods: 1,
        promptTokens: 7_200_000,
        generationTokens: 3_600_000,
        requests: 12_000,
      });
      const qwen = perModel.find((r) => r.model === 'Qwen/Qwen2.5-0.5B-Instruct' && r.costKnown);
      expect(qwen?.costUsd).toBeCloseTo(28.8, 9);
      expect(qwen?.usdPerMillionPromptTokens).toBeCloseTo(4, 9);
      expect(qwen?.usdPerMillionGenerationTokens).toBeCloseTo(8, 9);
      expect(perModel.find((r) => r.model === 'densenet_onnx')).toMatchObject({
        costKnown: true,
        requests: 6000,
        usdPerMillionPromptTokens: null,
      });
      expect(perModel.find((r) => r.model === 'densenet_onnx')?.costUsd).toBeCloseTo(0.72, 9);
      expect(perModel.find((r) => !r.costKnown)).toMatchObject({
        model: 'Qwen/Qwen2.5-0.5B-Instruct',
        promptTokens: 1000,
        usdPerMillionPromptTokens: null,
      });
    });

    it('moves cost to the new tenant when the mapping changes, leaving no stale rows', async () => {
      clock += 60_000;
      await job(FLEET_COST_CONFIG_YAML.replace('batch: globex', 'batch: initech')).run({
        fromMs: T0,
        untilMs: T0 + 2 * HOUR_MS,
      });
      const { report, tenants } = await byTenant();
      expect(tenants['globex']).toBeCloseTo(2 * (TRUTH.tenants.globex - 0.09), 6);
      expect(tenants['initech']).toBeCloseTo(2 * (TRUTH.tenants.initech + 0.09), 6);
      expect(report.totals.costUsd).toBeCloseTo(2 * TRUTH.fleetUsd, 6);
    });

    it('computes an hour again when late telemetry lands in it (a spool replayed after the hour was priced)', async () => {
      const hour = { fromMs: T0, toMs: T0 + HOUR_MS };
      const lateClusterUsd = async () =>
        (await costReport(costs, { ...hour, by: ['cluster'] })).rows
          .filter((r) => r.keys['cluster'] === 'late')
          .reduce((n, r) => n + r.costUsd, 0);
      await job().run(); // a scheduled run: every closed hour computed, the late-telemetry watermark set
      expect(await lateClusterUsd()).toBe(0);
      // One A800 (fleet price $0.001/GPU-s) whose agent delivers the first hour only now, through the ingest path's writes.
      const template = fleetBatches().find((b) => b.node === 'a800-0')!;
      const sample = template.samples.find((s) => s.kind === 'gpu')!;
      const batches = Array.from({ length: 60 }, (_, i): GpuSampleBatch => {
        const t = T0 + i * 60_000 + 30_000;
        return {
          ...template,
          cluster: 'late',
          node: 'late-0',
          agentId: 'agent-late-0',
          seq: i,
          collectedAtMs: t,
          processes: [],
          samples: [{ ...sample, gpuUuid: 'GPU-00000000-0000-0000-0000-000000001a7e', observedAtMs: t }],
        };
      });
      clock += 60_000;
      const packed = batches.map(packGpuSampleBatch);
      await telemetry.insertGpuBatches(packed, clock);
      await telemetry.insertIngestMarks(toIngestMarks(packed, clock));
      clock += 2 * 60_000; // minutes later (no hour closes meanwhile: the one window computed is the late one), past the overlap in which marks are read twice
      expect(await job().run()).toMatchObject({ windows: 1, computations: 2, problems: 0 });
      expect(await lateClusterUsd()).toBeCloseTo(3.6, 9);
      clock += 60_000;
      expect(await job().run()).toMatchObject({ windows: 0 }); // handled once
    });
  });
}
