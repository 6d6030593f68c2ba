import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/helpers/fixtures.ts';

const CLI = resolve(import.meta.dirname, '../../bin/gpu-ledger.js');
const dir = mkdtempSync(join(tmpdir(), 'inspect-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `gpu-ledger` in a child process. */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; format: string; type: string; record: Record<string, unknown> });

describe('gpu-ledger inspect (real CLI)', () => {
  it('prints one JSON line per record for several files of different formats, exit 0', async () => {
    const files = [
      fixturePath('dcgm', 'lke-rtx4000ada-580.95.05-k8s-pod-labels.prom'),
      fixturePath('xid', 'gpud-dmesg-iso-xid-48-63-94-dbe-row-remap.log'),
      fixturePath('vllm', 'kops-vllm-v1-qwen2.5-0.5b-L4.prom'),
    ];
    const r = await cli(['inspect', ...files]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => [l.format, l.type])).toEqual([
      ['dcgm', 'gpu-sample'],
      ['dcgm', 'dcgm-pod-binding'],
      ...Array.from({ length: 11 }, () => ['xid', 'xid-event']),
      ['vllm', 'model-server-totals'],
    ]);
    expect(lines[0]?.record).toMatchObject({
      gpuUuid: 'GPU-a8394b51-c086-568a-9f1a-c1e1c934c44c',
      memoryUsedBytes: 1048576,
      powerWatts: 40.979,
    });
    expect(lines[2]?.record).toMatchObject({ xid: 48, pciBusId: '0000:19:00' });
    expect(lines.at(-1)?.record).toMatchObject({ model: 'Qwen/Qwen2.5-0.5B-Instruct', kvCacheUsagePct: 0 });
  });

  it('an unparseable file exits non-zero naming the file and why; the good file is still printed', async () => {
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'hello, this is not telemetry\n');
    const good = fixturePath(
      'nvidia-smi-csv',
      'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-gpu.csv',
    );
    const r = await cli(['inspect', junk, good]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`gpu-ledger inspect: ${junk}: not a format gpu-ledger knows`);
    expect(r.stderr).toContain(`inspect: 1 of 2 file(s) could not be parsed: ${junk}`);
    expect(jsonLines(r.stdout).map((l) => [l.format, l.record['utilizationPct']])).toEqual([
      ['nvidia-smi-gpu-csv', 100],
    ]);
  });

  it('--format overrides detection; a wrong format or a missing file is a non-zero exit with the reason', async () => {
    const xmlAsCsv = await cli([
      'inspect',
      '--format',
      'nvidia-smi-xml',
      fixturePath('tgi', 'issue-IBM-vllm-pr18-tgis-adapter-tgi-metric-names.prom'),
    ]);
    expect(xmlAsCsv.code).toBe(1);
    expect(xmlAsCsv.stderr).toContain('not an nvidia-smi XML document: no <nvidia_smi_log> root');
    const missing = await cli(['inspect', join(dir, 'absent.log')]);
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([
      1,
      `gpu-ledger inspect: ${join(dir, 'absent.log')}: cannot read: ENOENT`,
    ]);
    const bogus = await cli(['inspect', '--format', 'bogus', join(dir, 'absent.log')]);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toContain("argument 'bogus' is invalid. expected one of nvidia-smi-xml");
  });
});
