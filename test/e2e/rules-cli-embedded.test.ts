import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, SHARED_DIR } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

const env = { GPU_LEDGER_MODE: 'embedded', GPU_LEDGER_CHDB_DIR: mkdtempSync(join(tmpdir(), 'gpu-ledger-rules-cli-')) };

describe('gpu-ledger rules check | budgets | alerts (embedded)', () => {
  it('rules check: one JSON line per alert that would fire over captured files, then a summary', async () => {
    const r = await runCli(
      [
        'rules',
        'check',
        join(SHARED_DIR, 'traces/gentd26/pod_gpu_duty_cycle_dev.csv.gz'),
        fixturePath('xid', 'gpud-dmesg-iso-xid-48-63-94-dbe-row-remap.log'),
        fixturePath('nvidia-smi-xml', 'openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml'),
        '--gpu-model',
        'T4',
        '--at',
        '2026-11-25T12:00:00Z',
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.pop() as { summary: Record<string, unknown> };
    // 376 idle stretches in the 72 pods (pipeline/rules/idle-allocated.test.ts), 3 Xid codes, the V100's
    // uncorrectable ECC errors and its pending page retirement
    expect(summary.summary).toMatchObject({
      files: 3,
      alerts: 381,
      byRule: { 'idle-allocated': 376, xid: 3, 'ecc-remap': 2 },
    });
    const idle = lines.find((l) => l['rule'] === 'idle-allocated')!;
    expect(idle).toMatchObject({
      severity: 'warning',
      gpu: null,
      startsAt: '2022-09-11T01:12:00.000Z',
      evidence: { gpuShare: 1, usdPerHour: 0.526 },
    });
    expect(lines.find((l) => l['rule'] === 'ecc-remap')).toMatchObject({
      severity: 'critical',
      startsAt: '2026-11-25T12:00:00.000Z',
      evidence: { uncorrectedTotal: 7627 },
    });
    const bad = await runCli(['rules', 'check', join(SHARED_DIR, 'traces/gentd26/README.md')], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/README.md: not a format gpu-ledger knows/);
  }, 120_000);

  it('budgets set (validated, audited), list, status, history; alerts list', async () => {
    const set = await runCli(['budgets', 'set', 'tenant/acme', '--monthly', '5000', '--actor', 'alice'], env);
    expect(set.stdout).toContain('created tenant/acme: $5000 monthly, thresholds 50,80,100%');
    await runCli(['budgets', 'set', 'tenant/acme', '--weekly', '900', '--thresholds', '80,100', '--actor', 'bob'], env);
    const bad = await runCli(['budgets', 'set', 'team/x', '--monthly', '-3', '--thresholds', '0'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('budget team/x: amount must be a positive number of USD, got -3');
    expect(bad.stderr).toContain('budget team/x: threshold 0% is not in (0, 1000]');
    expect((await runCli(['budgets', 'list'], env)).stdout).toMatch(
      /tenant\/acme\s+weekly\s+900\s+80%,100%\s+\S+\s+bob/,
    );
    expect((await runCli(['budgets', 'status'], env)).stdout).toMatch(/tenant\/acme\s+\S+\s+0\.00\s+900\.00\s+0\.0%/);
    const history = (await runCli(['budgets', 'history'], env)).stdout;
    expect(history).toMatch(/tenant\/acme\s+set\s+alice\s+-\s+\$5000 monthly/);
    expect(history).toMatch(/tenant\/acme\s+set\s+bob\s+\$5000 monthly\s+\$900 weekly/);
    const alerts = await runCli(['alerts', 'list', '--state', 'firing'], env);
    expect(alerts.code, alerts.stderr).toBe(0);
    expect(alerts.stdout).toMatch(/^state\s+severity\s+rule/);
  }, 120_000);
});
