import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/helpers/fixtures.ts';
import type { Collector } from '../collector.ts';
import { createNvidiaSmiCsvCollector } from './nvidia-smi-csv-collector.ts';

const FAKE = resolve(import.meta.dirname, '../../bin/fake-nvidia-smi.js');
const dir = mkdtempSync(join(tmpdir(), 'fake-smi-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: Collector[] = [];
afterEach(async () => void (await Promise.all(open.splice(0).map((c) => c.close()))));

/** The fake nvidia-smi (loop mode, real captures) behind a wrapper that logs every start. */
const wrapper = (() => {
  const path = join(dir, 'nvidia-smi');
  writeFileSync(path, `#!/bin/sh\necho "$1" >> '${path}.starts'\nexec '${process.execPath}' '${FAKE}' "$@"\n`);
  chmodSync(path, 0o755);
  return { path, starts: () => readFileSync(`${path}.starts`, 'utf8').trim().split('\n') };
})();
const capture = (state: string, kind: string) =>
  fixturePath('nvidia-smi-csv', `nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__${state}__${kind}.csv`);
const INTERVAL_MS = 200;
function collector(env: Record<string, string>, path = wrapper.path): Collector {
  const c = createNvidiaSmiCsvCollector(
    {
      path,
      timeoutMs: 10_000,
      maxOutputBytes: 1 << 20,
      intervalMs: INTERVAL_MS,
      restartInitialMs: 60_000,
      env: { PATH: process.env['PATH'] ?? '', FAKE_NVIDIA_SMI_GPUS: '2', ...env },
    },
    Date.now,
  );
  open.push(c);
  return c;
}
const signal = new AbortController().signal;

describe('createNvidiaSmiCsvCollector (nvidia-smi -lms loops, real processes)', () => {
  it('returns the GPUs and their processes of a new interval on every collect, from two long-lived processes', async () => {
    const c = collector({
      FAKE_NVIDIA_SMI_CSV: capture('load', 'query-gpu'),
      FAKE_NVIDIA_SMI_APPS_CSV: capture('load', 'query-compute-apps'),
    });
    const before = Date.now();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await c.collect(signal));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results[0]?.samples.map((s) => [s.gpuUuid, s.utilizationPct, s.memoryUsedBytes])).toEqual([
      ['GPU-00000000-0000-0000-0000-000000000000', 100, 19818 * 1024 ** 2],
      ['GPU-00000000-0000-0000-0000-000000000011', 100, 19818 * 1024 ** 2],
    ]);
    expect(results[0]?.processes.map((p) => [p.pid, p.gpuUuid.slice(-2), p.usedMemoryBytes])).toEqual([
      [11327, '00', 2566 * 1024 ** 2],
      [11328, '00', 1542 * 1024 ** 2],
      [11345, '00', 15690 * 1024 ** 2],
      [11327, '11', 2566 * 1024 ** 2],
      [11328, '11', 1542 * 1024 ** 2],
      [11345, '11', 15690 * 1024 ** 2],
    ]);
    // each collect got an interval of its own, stamped when nvidia-smi printed it
    const stamps = results.map((r) => r.samples[0]?.observedAtMs ?? 0);
    expect(stamps[0]).toBeGreaterThanOrEqual(before);
    for (let i = 1; i < stamps.length; i++)
      expect((stamps[i] ?? 0) - (stamps[i - 1] ?? 0)).toBeGreaterThanOrEqual(INTERVAL_MS * 0.8);
    expect(wrapper.starts().slice(-2).sort()).toEqual([
      '--query-compute-apps=pid,used_gpu_memory,gpu_uuid,process_name',
      '--query-gpu=uuid,name,index,pci.bus_id,driver_version,utilization.gpu,memory.used,memory.total,power.draw,power.limit,temperature.gpu,clocks.current.sm,clocks.current.memory,ecc.errors.corrected.volatile.total,ecc.errors.uncorrected.volatile.total,clocks_throttle_reasons.active',
    ]);
  });

  it('no GPU process (the loop prints nothing after its header) is an empty list, not an error or a stall', async () => {
    const c = collector({
      FAKE_NVIDIA_SMI_CSV: capture('idle', 'query-gpu'),
      FAKE_NVIDIA_SMI_APPS_CSV: capture('idle', 'query-compute-apps'),
    });
    for (let i = 0; i < 4; i++) {
      const r = await c.collect(signal);
      expect([r.samples.length, r.processes, r.errors]).toEqual([2, [], []]);
    }
  });

  it('a failing compute-apps query is an error entry; the GPU samples are kept', async () => {
    const c = collector({ FAKE_NVIDIA_SMI_CSV: capture('load', 'query-gpu') });
    const r = await c.collect(signal);
    expect(r.samples).toHaveLength(2);
    expect(r.processes).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(
      /^query-compute-apps: nvidia-smi --query-compute-apps=pid,used_gpu_memory,gpu_uuid,process_name --format=csv -lms 200 exited \(exit 9\): fake-nvidia-smi: set FAKE_NVIDIA_SMI_APPS_CSV to a captured nvidia-smi output file; restarting in \d+ ms$/,
    );
  });

  it('a missing executable is reported for both queries, nothing thrown', async () => {
    const absent = join(dir, 'absent');
    const r = await collector({}, absent).collect(signal);
    expect(r.errors.map((e) => e.replace(/ \d+ ms$/, ' N ms'))).toEqual([
      `query-gpu: nvidia-smi not found at ${absent}; restarting in N ms`,
      `query-compute-apps: nvidia-smi not found at ${absent}; restarting in N ms`,
    ]);
  });
});
