import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FLEET_CATALOG_YAML,
  FLEET_COST_CONFIG_YAML,
  FLEET_TRUTH_PER_HOUR as TRUTH,
  HOUR_MS,
  insertFleet,
  T0,
} from '../kits/cost-fleet-kit.ts';
import type { CostReport } from '../../pipeline/cost/cost-report.ts';
import type { ModelCostRow } from '../../pipeline/cost/model-cost.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { runCli } from '../helpers/run-cli.ts';

// `gpu-ledger cost …` in embedded mode: the fleet is written into a chDB directory here, which is
// then closed so that each CLI process can open it (one chDB data directory per process).
const dir = mkdtempSync(join(tmpdir(), 'gpu-ledger-cost-cli-'));
const env = {
  GPU_LEDGER_MODE: 'embedded',
  GPU_LEDGER_CHDB_DIR: join(dir, 'chdb'),
  GPU_LEDGER_DATABASE: 'ledger',
  GPU_LEDGER_PRICE_CATALOG: join(dir, 'prices.yaml'),
  GPU_LEDGER_COST_CONFIG: join(dir, 'cost.yaml'),
  GPU_LEDGER_LOG_LEVEL: 'warn',
};
const WINDOW = '2026-11-02T10:00:00Z..2026-11-02T12:00:00Z';
const cli = async (...args: string[]) => {
  const run = await runCli(['cost', ...args], env);
  if (run.code !== 0) throw new Error(`gpu-ledger cost ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
};

beforeAll(async () => {
  writeFileSync(env.GPU_LEDGER_PRICE_CATALOG, FLEET_CATALOG_YAML);
  writeFileSync(env.GPU_LEDGER_COST_CONFIG, FLEET_COST_CONFIG_YAML);
  const store = createTelemetryStore(createChdbExecutor({ dataDir: env.GPU_LEDGER_CHDB_DIR }), {
    database: env.GPU_LEDGER_DATABASE,
  });
  await store.migrate();
  await insertFleet(store, T0 + 3 * HOUR_MS);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gpu-ledger cost (embedded)', () => {
  it('runs the ledger job, then reports, prices models and exports FOCUS', async () => {
    expect(await cli('run', '--from', '2026-11-02T10:00:00Z', '--until', '2026-11-02T12:00:00Z')).toBe(
      '2 window(s) computed (2 cluster computations, 20 ledger rows, fleet cost $67.68, 0 problem(s)); ledger complete up to 2026-11-02T12:00:00.000Z\n',
    );

    const report = JSON.parse(
      await cli('report', '--window', WINDOW, '--by', 'tenant', '--format', 'json'),
    ) as CostReport;
    expect(report.totals.costUsd).toBeCloseTo(2 * TRUTH.fleetUsd, 6);
    expect(Object.fromEntries(report.rows.map((r) => [r.keys['tenant'], Number(r.costUsd.toFixed(2))]))).toEqual({
      acme: 29.52,
      globex: 14.07,
      __idle__: 23.91,
      initech: 0.18,
    });

    const table = await cli('report', '--window', WINDOW, '--by', 'namespace,gpuModel');
    expect(table).toContain('cost 2026-11-02T10:00:00.000Z .. 2026-11-02T12:00:00.000Z');
    expect(table).toMatch(/workload\s+llm-serving\s+A100-80GB\s+28\.80\s+14\.40\s+8\.000\s+4\.000\s+50\.0%/);
    expect(table).toContain('workload $43.77 + idle $23.91 = $67.68; fleet cost $67.68 over 2 computed window(s)');
    expect((await cli('report', '--window', WINDOW, '--by', 'label:team', '--format', 'csv')).split('\r\n')[0]).toBe(
      'bucket,label:team,cost_usd,waste_usd,allocated_gpu_hours,used_gpu_hours,efficiency',
    );

    const models = JSON.parse(
      await cli('models', '--window', WINDOW, '--per', 'model', '--format', 'json'),
    ) as ModelCostRow[];
    expect(
      models.find((m) => m.model === 'Qwen/Qwen2.5-0.5B-Instruct' && m.costKnown)?.usdPerMillionGenerationTokens,
    ).toBeCloseTo(8, 9);

    const out = join(dir, 'focus.csv');
    await cli('export', '--format', 'focus', '--window', '2026-11-02..2026-11-02', '--out', out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(21); // header + (6 pods + 4 idle nodes) × 2 hours
    expect(lines.slice(1).reduce((s, l) => s + Number(l.split(',')[1]), 0)).toBeCloseTo(2 * TRUTH.fleetUsd, 6);
  });

  it('refuses bad windows and groupings with a clear message', async () => {
    const bad = await runCli(['cost', 'report', '--window', '15m', '--by', 'tenants,label:'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a window: "15m"');
    const keys = await runCli(['cost', 'report', '--window', '24h', '--by', 'tenants,label:'], env);
    expect(keys.stderr).toContain('unknown grouping "tenants", "label:"');
  });
});
