import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/helpers/fixtures.ts';
import { createNvidiaSmiCsvCollector } from './nvidia-smi-csv-collector.ts';
import { NVIDIA_SMI_QUERIES } from './run-nvidia-smi.ts';

const T = Date.UTC(2026, 6, 14, 8, 12, 53);
const dir = mkdtempSync(join(tmpdir(), 'fake-smi-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in nvidia-smi that answers exactly the agent's two fixed CSV queries with real captures. */
function fakeNvidiaSmi(gpuCsv: string | null, appsCsv: string | null): string {
  const path = join(dir, `nvidia-smi-${Math.random().toString(36).slice(2)}`);
  const answer = (args: readonly string[], file: string | null) =>
    `if (args === ${JSON.stringify(args.join(' '))}) { ${file ? `process.stdout.write(readFileSync(${JSON.stringify(file)}, 'utf8'))` : "process.stderr.write('NVML: Unknown Error'); process.exit(15)"}; process.exit(0); }`;
  writeFileSync(
    path,
    [
      '#!/usr/bin/env node',
      "const { readFileSync } = require('node:fs');",
      "const args = process.argv.slice(2).join(' ');",
      answer(NVIDIA_SMI_QUERIES.gpuCsv, gpuCsv),
      answer(NVIDIA_SMI_QUERIES.computeAppsCsv, appsCsv),
      "process.stderr.write('unsupported: ' + args); process.exit(2);",
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

const capture = (kind: string) => fixturePath('nvidia-smi-csv', `nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__${kind}.csv`);
const run = (path: string) => createNvidiaSmiCsvCollector({ path, timeoutMs: 10_000, maxOutputBytes: 1 << 20 }, () => T).collect(new AbortController().signal);

describe('createNvidiaSmiCsvCollector (real process, fixed arguments)', () => {
  it('runs both queries and returns the GPU and its processes', async () => {
    const r = await run(fakeNvidiaSmi(capture('query-gpu'), capture('query-compute-apps')));
    expect(r.errors).toEqual([]);
    expect(r.samples.map((s) => [s.gpuUuid, s.utilizationPct, s.observedAtMs])).toEqual([['GPU-00000000-0000-0000-0000-000000000000', 100, T]]);
    expect(r.processes.map((p) => p.pid)).toEqual([11327, 11328, 11345]);
  });

  it('a failing compute-apps query is an error entry; the GPU samples are kept', async () => {
    const r = await run(fakeNvidiaSmi(capture('query-gpu'), null));
    expect(r.samples).toHaveLength(1);
    expect(r.processes).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^query-compute-apps: nvidia-smi --query-compute-apps=pid,used_gpu_memory,gpu_uuid,process_name --format=csv failed \(exit 15\): NVML: Unknown Error/);
  });

  it('a missing executable is reported for both queries, nothing thrown', async () => {
    const r = await run(join(dir, 'absent'));
    expect(r.errors).toEqual([`query-gpu: nvidia-smi not found at ${join(dir, 'absent')}`, `query-compute-apps: nvidia-smi not found at ${join(dir, 'absent')}`]);
  });
});
