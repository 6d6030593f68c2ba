import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import type { RecordBus } from '../../contracts/bus.ts';
import { decodeNodeHint, type NodeHint } from '../../contracts/node-hint.ts';
import { Topics } from '../../contracts/topics.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPipelineRuntime, type PipelineRuntime } from '../../pipeline/runtime.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { createTelemetryStore, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { testLogger } from '../helpers/services.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { FLEET_COST_CONFIG_YAML, HOUR_MS, insertRecommenderFleet, T0 } from '../kits/recommender-fleet-kit.ts';

// Embedded mode, as `gpu-ledger pipeline` composes it: the recommender and the node hints on their
// schedules, hints on the in-process bus; nobody calls either by hand.
describe('pipeline runtime: scheduled recommender and node hints (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-optimizer-'));
  let store: TelemetryStore;
  let runtime: PipelineRuntime;
  let bus: RecordBus;

  beforeAll(async () => {
    store = createTelemetryStore(createChdbExecutor({ dataDir }), { database: 'optimizer_sched' });
    await store.migrate();
    await insertRecommenderFleet(store);
    bus = createMemoryBus();
    const catalog = loadPriceCatalog();
    const cost = parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet');
    // The ledger of the first 8 hours, computed before (scheduled alongside, the recommender's first run
    // could see only some of the hours and open what those alone call for).
    const now = () => T0 + 8 * HOUR_MS + 20 * 60_000;
    await createCostLedgerJob(
      { executor: store.executor, database: 'optimizer_sched', catalog, options: { cost } },
      { now, logger: testLogger('ledger') },
    ).run();
    runtime = createPipelineRuntime(
      { bus, store, logger: testLogger('pipeline'), now },
      {
        groupId: 'optimizer-sched',
        rollups: null,
        telemetryGaps: null,
        retention: null,
        costLedger: null,
        optimizer: { catalog, cost, recommender: { intervalMs: 200 }, nodeHints: { intervalMs: 200 } },
      },
    );
    await runtime.start();
  }, 120_000);
  afterAll(async () => {
    await runtime.close();
    await bus.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes node hints that carry the recommendations the scheduled recommender made', async () => {
    const latest = new Map<string, NodeHint>();
    await bus.subscribe({
      groupId: 'extender',
      topics: [Topics.nodeHints],
      handleBatch: async (b) => {
        for (const r of b.records) {
          const hint = decodeNodeHint(r.value);
          if (hint.ok) latest.set(r.key ?? '', hint.value);
        }
        return Promise.resolve();
      },
    });
    const pending = () => [...latest.values()].reduce((s, h) => s + h.pendingRecommendations.length, 0);
    await waitFor('hints with the 7 recommendations', () => pending() === 7, 60_000, 100);
    expect([...latest.keys()].sort()).toEqual(['prod/a800-0', 'prod/v100-a', 'prod/v100-b']);
    expect(latest.get('prod/v100-a')).toMatchObject({
      gpuModel: 'V100-32GB',
      gpuCount: 3,
      allocatedGpus: 1,
      freeMilli: 2000,
    });
  }, 120_000);
});
