import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createNvidiaSmiLoop, type NvidiaSmiLoop, type NvidiaSmiLoopConfig } from './nvidia-smi-loop.ts';

const dir = mkdtempSync(join(tmpdir(), 'smi-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: NvidiaSmiLoop[] = [];
afterEach(async () => void (await Promise.all(open.splice(0).map((l) => l.close()))));

/** A stand-in loop-mode nvidia-smi as a shell script (starts in milliseconds); it logs each start to `starts`. */
function script(body: string): { path: string; starts: () => number } {
  const path = join(dir, `smi-${Math.random().toString(36).slice(2)}`);
  const log = `${path}.starts`;
  writeFileSync(path, `#!/bin/sh\necho start >> '${log}'\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, starts: () => readFileSync(log, 'utf8').split('\n').length - 1 };
}
const HEADER = String.raw`printf 'uuid, utilization.gpu [%%]\n'`;
function loop(path: string, overrides: Partial<NvidiaSmiLoopConfig> = {}): NvidiaSmiLoop {
  const l = createNvidiaSmiLoop(
    {
      path,
      args: ['--query-gpu=uuid,utilization.gpu', '--format=csv'],
      fields: ['uuid', 'utilization.gpu'],
      keyFields: ['uuid'],
      intervalMs: 100,
      timeoutMs: 3000,
      maxOutputBytes: 1 << 16,
      printsEveryInterval: true,
      settleMs: 40,
      restartInitialMs: 100,
      env: { PATH: process.env['PATH'] ?? '' },
      ...overrides,
    },
    Date.now,
  );
  open.push(l);
  return l;
}
const signal = new AbortController().signal;

describe('createNvidiaSmiLoop (one long-lived child, real processes)', () => {
  it('splits the stream into one block per interval, also when an interval arrives in several writes', async () => {
    const smi = script(
      `${HEADER}\nwhile :; do printf 'GPU-a, 1 %%\\n'; sleep 0.005; printf 'GPU-b, 2 %%\\n'; sleep 0.1; done`,
    );
    const l = loop(smi.path);
    const first = await l.next(0, signal);
    const second = await l.next(first.seq, signal);
    expect(first.csv).toBe('uuid, utilization.gpu [%]\nGPU-a, 1 %\nGPU-b, 2 %\n');
    expect([second.rows, second.seq]).toEqual([2, first.seq + 1]);
    expect(second.observedAtMs - first.observedAtMs).toBeGreaterThanOrEqual(90);
    expect(smi.starts()).toBe(1);
  });

  it('passes the fixed query plus -lms <interval> and nothing else', async () => {
    const smi = script(`${HEADER}; printf 'GPU-a, %s\\n' "$*"; exec sleep 30`);
    const block = await loop(smi.path, { intervalMs: 250 }).next(0, signal);
    expect(block.csv).toContain('GPU-a, --query-gpu=uuid,utilization.gpu --format=csv -lms 250\n');
  });

  it('a child that dies is an error naming its exit and stderr, then it is restarted after the backoff', async () => {
    // The first start dies after one row; the restarted one keeps printing (a child that died again
    // before the test asked would double the backoff, as a crash loop should).
    const smi = script(
      `${HEADER}; printf 'GPU-a, 5 %%\\n'; [ "$(wc -l < "$0.starts")" -gt 1 ] && exec sleep 30; sleep 0.1; echo 'NVML: Driver/library version mismatch' >&2; exit 3`,
    );
    const l = loop(smi.path, { restartInitialMs: 300 });
    const first = await l.next(0, signal);
    await expect(l.next(first.seq, signal)).rejects.toThrow(
      /^nvidia-smi --query-gpu=uuid,utilization.gpu --format=csv -lms 100 exited \(exit 3\): NVML: Driver\/library version mismatch; restarting in \d+ ms$/,
    );
    await expect(l.next(first.seq, signal)).rejects.toThrow(/exited \(exit 3\)/); // still down: answered at once
    // Restarted after the 300 ms backoff: asked until it answers (bounded; a loaded machine fires timers late).
    const deadline = Date.now() + 10_000;
    let again = await l.next(first.seq, signal).catch((e: unknown) => e);
    while (again instanceof Error && /restarting in/.test(again.message) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      again = await l.next(first.seq, signal).catch((e: unknown) => e);
    }
    if (again instanceof Error) throw again;
    expect([(again as { rows: number }).rows, smi.starts()]).toEqual([1, 2]);
  });

  it('a child that goes silent is stalled: killed, reported, restarted', async () => {
    const smi = script(`${HEADER}; printf 'GPU-a, 5 %%\\n'; exec sleep 60`);
    const l = loop(smi.path, { timeoutMs: 300 });
    const first = await l.next(0, signal);
    const started = Date.now();
    await expect(l.next(first.seq, signal)).rejects.toThrow(/printed nothing for 400 ms \(stalled\); restarting in/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 200));
    expect((await l.next(first.seq, signal)).rows).toBe(1);
    expect(smi.starts()).toBe(2);
  });

  it('a lone garbage line between intervals is no block; it travels in the next one', async () => {
    const smi = script(
      `${HEADER}; printf 'GPU-a, 1 %%\\n'; sleep 0.2; printf 'Xid 79 on 0000:09:00\\n'; sleep 0.2; printf 'GPU-a, 2 %%\\n'; exec sleep 30`,
    );
    const l = loop(smi.path, { timeoutMs: 2000 });
    const first = await l.next(0, signal);
    const second = await l.next(first.seq, signal);
    expect(second.csv).toBe('uuid, utilization.gpu [%]\nXid 79 on 0000:09:00\nGPU-a, 2 %\n');
    expect(second.rows).toBe(1);
  });

  it('an interval larger than maxOutputBytes is an error and the child is restarted', async () => {
    const smi = script(`${HEADER}; head -c 70000 /dev/zero | tr '\\0' 'x'; exec sleep 30`);
    await expect(loop(smi.path, { maxOutputBytes: 1 << 16 }).next(0, signal)).rejects.toThrow(
      /^nvidia-smi output exceeded 65536 bytes in one interval; restarting in/,
    );
  });

  it('a missing executable is reported, not thrown at creation', async () => {
    await expect(loop(join(dir, 'absent')).next(0, signal)).rejects.toThrow(
      `nvidia-smi not found at ${join(dir, 'absent')}; restarting in`,
    );
  });

  it('current(): silence after the first interval is "nothing printed", not a stall (compute-apps without processes)', async () => {
    const smi = script(`printf 'pid, gpu_uuid\\n11327, GPU-a\\n'; exec sleep 30`);
    const l = loop(smi.path, {
      args: ['--query-compute-apps=pid,gpu_uuid', '--format=csv'],
      fields: ['pid', 'gpu_uuid'],
      keyFields: ['pid', 'gpu_uuid'],
      printsEveryInterval: false,
      timeoutMs: 200,
    });
    expect((await l.current(1000, signal))?.csv).toBe('pid, gpu_uuid\n11327, GPU-a\n');
    await new Promise((r) => setTimeout(r, 500)); // past interval + timeout: no stall for this stream
    expect(await l.current(150, signal)).toBeNull();
    expect(smi.starts()).toBe(1);
  });

  it('close() ends the child and later reads reject', async () => {
    const smi = script(`${HEADER}\nwhile :; do printf 'GPU-a, 1 %%\\n'; sleep 0.1; done`);
    const l = loop(smi.path);
    await l.next(0, signal);
    await l.close();
    await l.close();
    await expect(l.next(0, signal)).rejects.toThrow('nvidia-smi loop closed');
    const startsAfterClose = smi.starts();
    await new Promise((r) => setTimeout(r, 300));
    expect(smi.starts()).toBe(startsAfterClose);
  });
});
