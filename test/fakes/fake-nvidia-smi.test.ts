import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceReading } from '../../sim/gentd26-trace.js';
import { parseNvidiaSmiXml } from '../../collectors/nvidia-smi/parse-xml.ts';
import { fixturePath, SHARED_DIR } from '../helpers/fixtures.ts';

const FAKE = resolve(import.meta.dirname, '../../bin/fake-nvidia-smi.js');
const TRACE_DIR = resolve(SHARED_DIR, 'traces/gentd26');
const env = {
  PATH: process.env['PATH'] ?? '',
  FAKE_NVIDIA_SMI_XML: fixturePath('nvidia-smi-xml', 'telegraf__2x-rtx-a5000__590.44.01__procs.xml'),
  FAKE_NVIDIA_SMI_CSV: fixturePath(
    'nvidia-smi-csv',
    'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-gpu.csv',
  ),
  FAKE_NVIDIA_SMI_APPS_CSV: fixturePath(
    'nvidia-smi-csv',
    'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-compute-apps.csv',
  ),
};
const run = (args: string[], extra: Record<string, string> = {}) =>
  execFileSync(process.execPath, [FAKE, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });

describe('fake nvidia-smi', () => {
  it('replays the captured XML as is', () => {
    const r = parseNvidiaSmiXml(run(['-q', '-x']), Date.now());
    expect(r.samples.map((s) => [s.gpuUuid, s.memoryUsedBytes])).toEqual([
      ['GPU-12345678-aaaa-bbbb-cccc-0123456789ab', 22437 * 1024 ** 2],
      ['GPU-12345678-aaaa-bbbb-cccc-0123456789cd', 17253 * 1024 ** 2],
    ]);
  });

  it('replicates to 8 GPUs whose utilization follows 8 different real gentd26 pods', () => {
    const before = Date.now();
    const r = parseNvidiaSmiXml(
      run(['-q', '-x'], { FAKE_NVIDIA_SMI_GPUS: '8', FAKE_NVIDIA_SMI_TRACE_DIR: TRACE_DIR }),
      before,
    );
    expect(r.attachedGpus).toBe(8);
    expect(new Set(r.samples.map((s) => s.gpuUuid)).size).toBe(8);
    expect(new Set(r.samples.map((s) => s.pciBusId)).size).toBe(8);
    const expected = r.samples.map((_, i) =>
      Math.round(traceReading(TRACE_DIR, i, before, 24564 * 1024 ** 2).utilizationPct),
    );
    // The trace steps every 57 s; a step between the two clock reads is possible but rare, so allow one.
    const same = r.samples.filter((s, i) => s.utilizationPct === expected[i]).length;
    expect(same).toBeGreaterThanOrEqual(7);
    expect(new Set(expected).size).toBeGreaterThan(1);
  });

  it('answers --query-gpu with exactly the requested fields, units stripped with nounits', () => {
    const out = run(['--query-gpu=index,uuid,utilization.gpu,memory.used,memory.total', '--format=csv,nounits'], {
      FAKE_NVIDIA_SMI_GPUS: '2',
    });
    expect(out.trim().split('\n')).toEqual([
      'index, uuid, utilization.gpu, memory.used, memory.total',
      '0, GPU-00000000-0000-0000-0000-000000000000, 100, 19818, 81559',
      '1, GPU-00000000-0000-0000-0000-000000000011, 100, 19818, 81559',
    ]);
  });

  it('answers --query-compute-apps from the capture', () => {
    const out = run(['--query-compute-apps=pid,process_name,used_gpu_memory', '--format=csv,noheader']);
    expect(out.trim().split('\n')).toEqual([
      '11327, /root/tools/memhog, 2566 MiB',
      '11328, /root/tools/memhog, 1542 MiB',
      '11345, ./gpu_burn, 15690 MiB',
    ]);
  });

  it('fails like the real tool on anything else', () => {
    const r = spawnSync(process.execPath, [FAKE, '--list-gpus'], { env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unsupported arguments: --list-gpus');
  });
});
