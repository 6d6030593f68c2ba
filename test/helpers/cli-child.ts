/**
 * The real `gpu-ledger` command as a child process, for tests that signal, kill or restart it. Every
 * wait on a child is bounded: past its bound the child is SIGKILLed and the test fails with the
 * child's last log lines (no afterAll can hang on a child that ignores SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait-for.ts';

const CLI = resolve(import.meta.dirname, '../../bin/gpu-ledger.js');

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A stop's outcome: how the child ended and how long after the signal. */
export interface StoppedChild extends ChildExit {
  readonly exitMs: number;
}

export interface CliChild {
  readonly child: ChildProcess;
  /** Names the child in failures (e.g. `pipeline#2`). */
  readonly name: string;
  /** True until it exited. */
  readonly running: boolean;
  readonly exited: Promise<ChildExit>;
  /** Everything it wrote on stderr (JSON log lines) and stdout so far. */
  log(): string;
  /** Its last `n` log lines, for a failure message. */
  lastLines(n?: number): string;
  /**
   * Waits until its log from character `from` on (default 0: all of it; `log().length` for lines still
   * to come) matches `pattern`; throws (with the last lines) past `timeoutMs` or if the child exits.
   */
  waitForLog(pattern: RegExp, timeoutMs: number, from?: number): Promise<void>;
  /**
   * Sends `signal` and waits for the exit at most `deadlineMs`. Past it: SIGKILL, then throws with the
   * last 40 log lines. Resolves with the exit and the time it took (already exited: at once, exitMs 0).
   */
  stop(signal: NodeJS.Signals, deadlineMs: number): Promise<StoppedChild>;
}

const started = new Set<CliChild>();

/** Starts `gpu-ledger <args>` with `env` added to this process's environment. */
export function startCli(name: string, args: readonly string[], env: NodeJS.ProcessEnv): CliChild {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (d: Buffer) => void (output += d.toString('utf8'));
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let running = true;
  const exited = new Promise<ChildExit>((done) =>
    child.once('exit', (code, signal) => {
      running = false;
      started.delete(handle);
      done({ code, signal });
    }),
  );
  const lastLines = (n = 40) => output.trimEnd().split('\n').slice(-n).join('\n');
  const handle: CliChild = {
    child,
    name,
    get running() {
      return running;
    },
    exited,
    log: () => output,
    lastLines,
    async waitForLog(pattern, timeoutMs, from = 0) {
      const seen = () => pattern.test(output.slice(from));
      try {
        await waitFor(`${name}: a log line matching ${pattern}`, () => seen() || !running, timeoutMs, 50);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- last lines of ${name} ---\n${lastLines()}`);
      }
      if (!seen())
        throw new Error(`${name} exited before logging ${pattern}\n--- last lines of ${name} ---\n${lastLines()}`);
    },
    async stop(signal, deadlineMs) {
      if (!running) return { ...(await exited), exitMs: 0 };
      const sentAt = performance.now();
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), deadlineMs)));
      const outcome = await Promise.race([exited, late]).finally(() => clearTimeout(timer));
      if (outcome === 'late') {
        child.kill('SIGKILL');
        await exited;
        throw new Error(
          `${name} still running ${deadlineMs} ms after ${signal}: killed with SIGKILL\n--- last 40 lines of ${name} ---\n${lastLines(40)}`,
        );
      }
      return { ...outcome, exitMs: Math.round(performance.now() - sentAt) };
    },
  };
  started.add(handle);
  return handle;
}

/** For afterAll: SIGKILLs every child still running and waits (bounded) for their exits. */
export async function killAllChildren(): Promise<void> {
  const left = [...started];
  for (const c of left) c.child.kill('SIGKILL');
  await Promise.race([Promise.all(left.map((c) => c.exited)), new Promise((r) => setTimeout(r, 10_000))]);
}
