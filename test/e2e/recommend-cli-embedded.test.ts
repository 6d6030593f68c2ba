import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recommendation } from '../../contracts/recommendation.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import type { AdoptionReport } from '../../scheduler/recommender/adoption-report.ts';
import { runCli } from '../helpers/run-cli.ts';
import { FLEET_COST_CONFIG_YAML, insertRecommenderFleet } from '../kits/recommender-fleet-kit.ts';

// `gpu-ledger recommend …` in embedded mode on the recommender fleet (real captures, gentd26 series),
// priced by the default catalog; the chDB directory is closed before each CLI process opens it.
const dir = mkdtempSync(join(tmpdir(), 'gpu-ledger-recommend-cli-'));
const env = {
  GPU_LEDGER_MODE: 'embedded',
  GPU_LEDGER_CHDB_DIR: join(dir, 'chdb'),
  GPU_LEDGER_DATABASE: 'recommend',
  GPU_LEDGER_COST_CONFIG: join(dir, 'cost.yaml'),
  GPU_LEDGER_LOG_LEVEL: 'warn',
};
const cli = async (...args: string[]) => {
  const run = await runCli(args, env);
  if (run.code !== 0) throw new Error(`gpu-ledger ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
};

beforeAll(async () => {
  writeFileSync(env.GPU_LEDGER_COST_CONFIG, FLEET_COST_CONFIG_YAML);
  const store = createTelemetryStore(createChdbExecutor({ dataDir: env.GPU_LEDGER_CHDB_DIR }), {
    database: env.GPU_LEDGER_DATABASE,
  });
  await store.migrate();
  await insertRecommenderFleet(store);
  await store.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gpu-ledger recommend (embedded)', () => {
  it('computes on demand, filters by tenant, takes decisions and reports adoption', async () => {
    await cli('cost', 'run', '--from', '2026-11-02T00:00:00Z', '--until', '2026-11-02T08:00:00Z');
    const acme = JSON.parse(
      await cli('recommend', '--tenant', 'acme', '--json', '--at', '2026-11-02T08:20:00Z'),
    ) as Recommendation[];
    expect(acme.map((r) => `${r.kind} ${r.target.workload}`)).toEqual([
      'idle-reclaim sd-idle',
      'cheaper-gpu sd-serving',
      'share sd-serving',
      'idle-reclaim mig-embed',
    ]);
    expect(acme[0]?.estimatedMonthlySavingUsd).toBeCloseTo(5.12071875 * 730, 6);

    const table = await cli('recommend', 'list', '--no-run');
    expect(table).toContain('right-size');
    expect(table).toContain('A100-80GB 1×3g.40gb');
    // 730 × ((5.12071875 − 1.861) + (3.9015 − 1.861) + 3.9015 + 2/7 × 5.12071875 + 5.12071875 + 2 × 5.12071875 + 4/7 × 5.12071875)
    expect(table.trim().split('\n').pop()).toBe(
      '7 recommendation(s), $21135.74/month estimated (kinds overlap: a workload may have alternatives)',
    );

    const id = acme[0]!.id;
    expect(await cli('recommend', 'accept', id)).toBe(`${id} accepted\n`);
    const refused = await runCli(['recommend', 'dismiss', acme[1]!.id], env);
    expect([refused.code, refused.stderr.trim()]).toEqual([1, `gpu-ledger: dismissing ${acme[1]!.id} needs a reason`]);
    expect(await cli('recommend', 'dismiss', acme[1]!.id, '--reason', 'the L40S pool is full')).toBe(
      `${acme[1]!.id} dismissed: the L40S pool is full\n`,
    );
    const report = JSON.parse(await cli('recommend', 'report', '--json')) as AdoptionReport;
    expect(report.byStatus).toEqual({ open: 5, accepted: 1, dismissed: 1, expired: 0, realised: 0 });
    expect(report.adoptionRate).toBe(0.5);
    expect(await cli('recommend', 'report')).toContain('adoption = (accepted + realised)');
  }, 240_000);
});
