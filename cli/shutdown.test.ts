import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { installShutdown, type ShutdownStep } from './shutdown.ts';

/** A shutdown on a fake process: signals from an emitter, exit codes recorded, log lines kept. */
function harness(deadlineMs: number) {
  const signals = new EventEmitter();
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const codes: number[] = [];
  const shutdown = installShutdown({
    logger,
    deadlineMs,
    signals: signals as unknown as NodeJS.Process,
    exit: (code) => {
      codes.push(code);
      resolveExit(code);
    },
  });
  return { signals, lines, shutdown, exited, codes };
}

const step = (name: string, log: string[], ms = 0): ShutdownStep => ({
  name,
  close: async () => {
    await new Promise((r) => setTimeout(r, ms));
    log.push(name);
  },
});
const never: ShutdownStep = { name: 'stuck consumer', close: () => new Promise(() => undefined) };

describe('installShutdown', () => {
  it('waits for the first signal, closes the steps in order, exits 0', async () => {
    const h = harness(1000);
    const closed: string[] = [];
    void h.shutdown.closeOnSignal([step('ingest', closed, 5), step('bus', closed), step('store', closed)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toEqual([]);
    expect(h.shutdown.stopping).toBe(false);
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(h.shutdown.stopping).toBe(true);
    expect(await h.exited).toBe(0);
    expect(closed).toEqual(['ingest', 'bus', 'store']);
    expect(h.lines.map((l) => l['msg'])).toEqual(['stopping', 'stopped']);
  });

  it('a signal during start-up is kept: the steps close as soon as they are handed over', async () => {
    const h = harness(1000);
    h.signals.emit('SIGINT', 'SIGINT');
    const closed: string[] = [];
    void h.shutdown.closeOnSignal([step('server', closed)]);
    expect(await h.exited).toBe(0);
    expect(closed).toEqual(['server']);
  });

  it('the deadline passing exits 1 and names what was still pending', async () => {
    const h = harness(50);
    const closed: string[] = [];
    void h.shutdown.closeOnSignal([step('spool', closed), never, step('server', closed)]);
    const started = Date.now();
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(closed).toEqual(['spool']);
    const last = h.lines.at(-1);
    expect(last?.['pending']).toEqual(['stuck consumer', 'server']);
    expect(String(last?.['msg'])).toContain('stuck consumer, server still pending');
  });

  it('a start-up that never ends still exits at the deadline', async () => {
    const h = harness(30);
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(1);
    expect(h.lines.at(-1)?.['pending']).toEqual(['start-up']);
  });

  it('a step with its own bound is abandoned after it, and the next steps still close', async () => {
    const h = harness(1000);
    const closed: string[] = [];
    void h.shutdown.closeOnSignal([{ ...never, timeoutMs: 20 }, step('store', closed)]);
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(0);
    expect(closed).toEqual(['store']);
    expect(h.lines.some((l) => String(l['msg']).startsWith('stuck consumer: not done within 20 ms'))).toBe(true);
  });

  it('a second signal exits at once, non-zero', async () => {
    const h = harness(10_000);
    void h.shutdown.closeOnSignal([never]);
    h.signals.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGINT', 'SIGINT');
    expect(await h.exited).toBe(130);
    expect(h.codes).toEqual([130]);
    expect(h.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('a failing step is logged, the others still close, the exit is 1', async () => {
    const h = harness(1000);
    const closed: string[] = [];
    const broken: ShutdownStep = { name: 'bus', close: () => Promise.reject(new Error('broker gone')) };
    void h.shutdown.closeOnSignal([broken, step('store', closed)]);
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(1);
    expect(closed).toEqual(['store']);
    expect(h.lines.some((l) => l['step'] === 'bus')).toBe(true);
  });
});
