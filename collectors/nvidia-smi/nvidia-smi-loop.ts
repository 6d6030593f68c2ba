import { spawn, type ChildProcess } from 'node:child_process';
import { createCsvBlockReader, type CsvBlock, type CsvBlockReader } from './csv-block-reader.ts';

export interface NvidiaSmiLoopConfig {
  /** Absolute path of the nvidia-smi executable (or the fake one). */
  readonly path: string;
  /** The fixed query (`--query-gpu=… --format=csv`); `-lms <intervalMs>` is appended here. */
  readonly args: readonly string[];
  /** The queried fields in order: how the header line is recognised. */
  readonly fields: readonly string[];
  /** Fields that identify a row within one interval (see csv-block-reader.ts). */
  readonly keyFields: readonly string[];
  readonly intervalMs: number;
  /** How late an interval's output may be (and the first one after a start) before the loop counts as stalled. */
  readonly timeoutMs: number;
  /** One interval's output larger than this is an error (the child is restarted), not an out-of-memory. */
  readonly maxOutputBytes: number;
  /** True when every interval prints a line (GPU rows). False when an interval may print nothing (no GPU processes): only the first output after a start is then due. */
  readonly printsEveryInterval: boolean;
  /** The complete environment of the child, when not inherited. */
  readonly env?: Readonly<Record<string, string>>;
  /** A quiet gap this long ends an interval's output. Default min(100, intervalMs / 2). */
  readonly settleMs?: number;
  /** Restart delay after the child died or was stopped: doubles from this (default 1 s) up to restartMaxMs (30 s); back to the start after a child that ran that long. */
  readonly restartInitialMs?: number;
  readonly restartMaxMs?: number;
}

export type LoopBlock = CsvBlock & { readonly seq: number };

/** One long-lived `nvidia-smi … -lms N` child, restarted with backoff when it dies or stalls. */
export interface NvidiaSmiLoop {
  /** The newest block with seq > afterSeq, waiting for it. Rejects while the child is down, when it dies or stalls meanwhile, or on abort. */
  next(afterSeq: number, signal: AbortSignal): Promise<LoopBlock>;
  /** Once the running child printed its first output: the newest block at most maxAgeMs old, or null (it printed no row since). Rejects like next(). */
  current(maxAgeMs: number, signal: AbortSignal): Promise<LoopBlock | null>;
  /** Stops the child (SIGTERM, SIGKILL after 2 s). Idempotent, safe before the first read. */
  close(): Promise<void>;
}

/**
 * Supervises the child and splits its stdout into blocks (csv-block-reader.ts): an interval's output
 * is over when the pipe has been quiet for settleMs. Started on the first read, not at creation.
 */
export function createNvidiaSmiLoop(config: NvidiaSmiLoopConfig, now: () => number): NvidiaSmiLoop {
  const args = [...config.args, '-lms', String(config.intervalMs)];
  const command = `nvidia-smi ${args.join(' ')}`;
  const settleMs = config.settleMs ?? Math.min(100, config.intervalMs / 2);
  const [initialMs, maxMs] = [config.restartInitialMs ?? 1000, config.restartMaxMs ?? 30_000];
  let child: ChildProcess | null = null;
  let reader: CsvBlockReader = createCsvBlockReader(config.fields, config.keyFields);
  let latest: LoopBlock | null = null;
  let seq = 0;
  let blocksOfChild = 0;
  let failure: string | null = null;
  let restartAtMs = 0;
  let backoffMs = initialMs;
  let killedFor: string | null = null;
  let stderr = '';
  let startedAtMs = 0;
  let closed = false;
  const timers: { settle?: NodeJS.Timeout; stall?: NodeJS.Timeout; restart?: NodeJS.Timeout } = {};
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((check) => check());

  const armStall = () => {
    clearTimeout(timers.stall);
    if (blocksOfChild > 0 && !config.printsEveryInterval) return;
    const silentMs = config.intervalMs + config.timeoutMs;
    timers.stall = setTimeout(() => stop(`${command} printed nothing for ${silentMs} ms (stalled)`), silentMs);
  };
  const publish = (block: CsvBlock | null) => {
    if (block === null) return;
    latest = { ...block, seq: ++seq };
    blocksOfChild++;
    armStall();
    notify();
  };
  const endBlock = () => {
    clearTimeout(timers.settle);
    publish(reader.take());
  };
  const stop = (reason: string) => {
    killedFor ??= reason;
    child?.kill('SIGKILL');
  };
  const ended = (which: ChildProcess, reason: string) => {
    if (which !== child) return;
    if (killedFor === null) endBlock(); // output printed before an exit is complete
    clearTimeout(timers.settle);
    clearTimeout(timers.stall);
    child = null;
    failure = killedFor ?? reason;
    if (now() - startedAtMs >= maxMs) backoffMs = initialMs; // it ran a while: a fresh failure, not a crash loop
    if (!closed) {
      restartAtMs = now() + backoffMs;
      timers.restart = setTimeout(start, backoffMs);
      backoffMs = Math.min(backoffMs * 2, maxMs);
    }
    notify();
  };
  function start() {
    [reader, blocksOfChild, killedFor, stderr, startedAtMs] = [
      createCsvBlockReader(config.fields, config.keyFields),
      0,
      null,
      '',
      now(),
    ];
    const spawned = spawn(config.path, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(config.env ? { env: config.env } : {}),
    });
    child = spawned;
    spawned.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const { completed, reading } = reader.push(chunk, now());
      completed.forEach(publish);
      if (reading) {
        clearTimeout(timers.settle);
        timers.settle = setTimeout(endBlock, settleMs);
      }
      if (reader.pendingBytes > config.maxOutputBytes)
        stop(`nvidia-smi output exceeded ${config.maxOutputBytes} bytes in one interval`);
    });
    spawned.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-500)));
    spawned.on('error', (error: NodeJS.ErrnoException) =>
      ended(
        spawned,
        error.code === 'ENOENT' ? `nvidia-smi not found at ${config.path}` : `cannot run ${command}: ${error.message}`,
      ),
    );
    spawned.on('close', (code, signal) =>
      ended(
        spawned,
        `${command} exited (${code === null ? `signal ${signal}` : `exit ${code}`}): ${stderr.trim().slice(0, 500)}`,
      ),
    );
    armStall();
  }

  /** Resolves with pick() once it returns a value; rejects while the child is down. */
  const wait = <T>(signal: AbortSignal, pick: () => T | undefined): Promise<T> => {
    if (closed || signal.aborted) return Promise.reject(new Error(closed ? 'nvidia-smi loop closed' : 'aborted'));
    if (child === null && failure === null) start();
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        waiters.delete(check);
        signal.removeEventListener('abort', check);
      };
      const check = () => {
        const error =
          signal.aborted || closed
            ? new Error(closed ? 'nvidia-smi loop closed' : 'aborted')
            : child === null
              ? new Error(`${failure ?? 'not running'}; restarting in ${Math.max(0, restartAtMs - now())} ms`)
              : null;
        const value = error === null ? pick() : undefined;
        if (error === null && value === undefined) return;
        done();
        if (error !== null) reject(error);
        else resolve(value as T);
      };
      waiters.add(check);
      signal.addEventListener('abort', check);
      check();
    });
  };

  return {
    next: (afterSeq, signal) => wait(signal, () => (latest !== null && latest.seq > afterSeq ? latest : undefined)),
    current: (maxAgeMs, signal) =>
      wait(signal, () =>
        blocksOfChild === 0 ? undefined : latest !== null && latest.observedAtMs >= now() - maxAgeMs ? latest : null,
      ),
    async close() {
      if (closed) return;
      closed = true;
      Object.values(timers).forEach((t) => clearTimeout(t));
      notify();
      const running = child;
      if (running === null || running.exitCode !== null || running.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => running.once('close', () => resolve()));
      running.kill('SIGTERM');
      const force = setTimeout(() => running.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(force);
    },
  };
}
