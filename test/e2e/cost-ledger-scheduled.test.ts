import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import {
  FLEET_CATALOG_YAML,
  FLEET_COST_CONFIG_YAML,
  FLEET_TRUTH_PER_HOUR,
  HOUR_MS,
  insertFleet,
  T0,
} from '../kits/cost-fleet-kit.ts';
import { costReport } from '../../pipeline/cost/cost-report.ts';
import { parsePriceCatalog } from '../../pipeline/cost/price-catalog.ts';
import { createPipelineRuntime, type PipelineRuntime } from '../../pipeline/runtime.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import { createTelemetryStore, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { testLogger } from '../helpers/services.ts';
import { waitFor } from '../helpers/wait-for.ts';

// The pipeline runs the cost ledger on its schedule: once the fleet's two hours are closed (15 min
// after each ends), both windows are computed without anyone calling `gpu-ledger cost run`.
describe('pipeline runtime: scheduled cost ledger (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-ledger-sched-'));
  let store: TelemetryStore;
  let runtime: PipelineRuntime;

  beforeAll(async () => {
    store = createTelemetryStore(createChdbExecutor({ dataDir }), { database: 'ledger_sched' });
    await store.migrate();
    await insertFleet(store, T0 + 2 * HOUR_MS + 60_000);
    runtime = createPipelineRuntime(
      { bus: createMemoryBus(), store, logger: testLogger('pipeline'), now: () => T0 + 2 * HOUR_MS + 16 * 60_000 },
      {
        groupId: 'ledger-sched',
        rollups: null,
        telemetryGaps: null,
        retention: null,
        costLedger: {
          intervalMs: 100,
          catalog: parsePriceCatalog(FLEET_CATALOG_YAML, 'fleet catalog'),
          options: { cost: parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet config') },
        },
      },
    );
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('computes every closed hour and nothing past it', async () => {
    const costs = createCostStore(store.executor, { database: 'ledger_sched' });
    const range = { fromMs: T0, toMs: T0 + 2 * HOUR_MS };
    await waitFor('both hours computed', async () => (await costs.windows(range)).length === 2, 30_000);
    const report = await costReport(costs, { ...range, by: ['tenant'] });
    expect(report.totals.fleetCostUsd).toBeCloseTo(2 * FLEET_TRUTH_PER_HOUR.fleetUsd, 6);
    expect(report.totals.windows).toBe(2);
    expect(await costs.windows({ fromMs: T0 + 2 * HOUR_MS, toMs: T0 + 3 * HOUR_MS })).toEqual([]);
  });
});
