import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { StackConfig } from './config.ts';
import { withLock } from './lock.ts';
import { describeLogs, logSizes } from './log-tail.ts';
import { isAlive, isOurProcess, readPidFile, removePidFile, writePidFile } from './pid-file.ts';
import { assertPortsFree } from './ports.ts';
import type { ServiceSpec } from './service-spec.ts';
import { serviceSpec } from './service-spec.ts';
import { StackError } from './stack-error.ts';
import type { ServiceName, ServiceStatus, StackLogger } from './types.ts';

/** Long enough for a first-run install (apt, Maven) by another stack command. */
const LOCK_WAIT_MS = 20 * 60_000;
const lockFile = (config: StackConfig, name: ServiceName): string => path.join(config.runDir, `${name}.lock`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (sinceMs: number): string => `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;

/** The pid in the service's pid file when that process is alive and really ours; otherwise null. */
export async function ourPid(spec: ServiceSpec): Promise<number | null> {
  const pid = await readPidFile(spec.pidFile);
  return pid !== null && (await isOurProcess(pid, spec.markers)) ? pid : null;
}

/**
 * Starts one service detached (it outlives this process) and waits until it is healthy.
 * Idempotent: when our pid file names a live process of ours, only waits for its health.
 * Fails when a port is held by anything else. Returns the pid.
 */
export function startService(config: StackConfig, name: ServiceName, log: StackLogger): Promise<number> {
  const spec = serviceSpec(config, name);
  return withLock(lockFile(config, name), `starting ${spec.label}`, LOCK_WAIT_MS, log, () =>
    startUnlocked(config, spec, log),
  );
}

async function startUnlocked(config: StackConfig, spec: ServiceSpec, log: StackLogger): Promise<number> {
  const running = await ourPid(spec);
  if (running !== null) {
    log.info(`${spec.label} already running (pid ${running})`);
    await waitHealthy(spec, running, config.healthTimeoutMs, log);
    return running;
  }
  await removePidFile(spec.pidFile); // stale: its process is gone (or the pid now belongs to someone else)
  await assertPortsFree(config, spec.name);
  await mkdir(config.logsDir, { recursive: true });
  await spec.prepare(log).catch((error: unknown) => {
    throw error instanceof StackError
      ? error
      : new StackError(`preparing ${spec.label}`, error instanceof Error ? error.message : String(error));
  });
  const logsBefore = await logSizes(spec.logFiles);
  const pid = await spawnDetached(spec);
  await writePidFile(spec.pidFile, pid);
  log.info(`${spec.label} started (pid ${pid}), logs in ${spec.logFiles.join(', ')}`);
  await waitHealthy(spec, pid, config.healthTimeoutMs, log, logsBefore);
  return pid;
}

async function spawnDetached(spec: ServiceSpec): Promise<number> {
  const out = await open(spec.stdoutLog, 'a');
  try {
    await out.write(
      `\n=== ${new Date().toISOString()} starting: ${spec.command.file} ${spec.command.args.join(' ')}\n`,
    );
    const child = spawn(spec.command.file, spec.command.args, {
      cwd: spec.command.cwd,
      detached: true, // own process group: survives the CLI and its terminal
      stdio: ['ignore', out.fd, out.fd],
    });
    const [event] = (await Promise.race([once(child, 'spawn').then(() => ['spawn']), once(child, 'error')])) as [
      unknown,
    ];
    if (event !== 'spawn' || child.pid === undefined) {
      const message = event instanceof Error ? event.message : 'no pid';
      throw new StackError(`starting ${spec.label}`, `could not run ${spec.command.file}: ${message}`);
    }
    child.unref();
    return child.pid;
  } finally {
    await out.close(); // the child holds its own copy of the descriptor
  }
}

/** Polls the service's probe until it answers; fails fast when the process dies, with its log tail. */
export async function waitHealthy(
  spec: ServiceSpec,
  pid: number,
  timeoutMs: number,
  log: StackLogger,
  logsBefore: ReadonlyMap<string, number> = new Map(),
): Promise<void> {
  const started = Date.now();
  if (await spec.probe()) return;
  log.info(`waiting for ${spec.label}…`);
  for (;;) {
    await sleep(250);
    if (await spec.probe()) {
      log.info(`waiting for ${spec.label}… ok in ${seconds(started)}`);
      return;
    }
    if (!(await isAlive(pid))) {
      await removePidFile(spec.pidFile);
      throw new StackError(
        `starting ${spec.label}`,
        `process ${pid} exited before it became healthy\n${await describeLogs(spec.logFiles, 20, logsBefore)}`,
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new StackError(
        `starting ${spec.label}`,
        `not healthy after ${seconds(started)} (pid ${pid} still runs; \`stack down\` stops it)\n${await describeLogs(spec.logFiles, 20, logsBefore)}`,
      );
    }
  }
}

/**
 * Stops one service: SIGTERM to the pid from OUR pid file (only if that process is still ours),
 * waits up to config.stopTimeoutMs, then SIGKILL. Removes the pid file. Data is kept.
 */
export function stopService(config: StackConfig, name: ServiceName, log: StackLogger): Promise<void> {
  const spec = serviceSpec(config, name);
  return withLock(lockFile(config, name), `stopping ${spec.label}`, LOCK_WAIT_MS, log, () =>
    stopUnlocked(config, spec, log),
  );
}

async function stopUnlocked(config: StackConfig, spec: ServiceSpec, log: StackLogger): Promise<void> {
  const pid = await ourPid(spec);
  if (pid === null) {
    await removePidFile(spec.pidFile);
    log.info(`${spec.label} not running`);
    return;
  }
  const started = Date.now();
  log.info(`stopping ${spec.label} (pid ${pid})…`);
  signal(pid, 'SIGTERM');
  if (!(await waitExit(pid, config.stopTimeoutMs))) {
    log.warn(`${spec.label} (pid ${pid}) ignored SIGTERM for ${config.stopTimeoutMs / 1000} s; sending SIGKILL`);
    if (await isOurProcess(pid, spec.markers)) signal(pid, 'SIGKILL');
    if (!(await waitExit(pid, 5_000))) throw new StackError(`stopping ${spec.label}`, `pid ${pid} survived SIGKILL`);
  }
  await removePidFile(spec.pidFile);
  log.info(`stopping ${spec.label}… ok in ${seconds(started)}`);
}

/** Stop then start: a broker restart for fault tests (topics and offsets survive). Returns the new pid. */
export async function restartService(config: StackConfig, name: ServiceName, log: StackLogger): Promise<number> {
  await stopService(config, name, log);
  return startService(config, name, log);
}

/** Running (our pid alive), pid, ports and one health probe. Starts nothing. */
export async function serviceStatus(config: StackConfig, name: ServiceName): Promise<ServiceStatus> {
  const spec = serviceSpec(config, name);
  const pid = await ourPid(spec);
  const ports = Object.fromEntries(spec.ports.map(({ role, port }) => [role, port]));
  return {
    name,
    state: pid === null ? 'stopped' : 'running',
    pid,
    port: spec.ports[0]?.port ?? 0,
    ports,
    healthy: pid !== null && (await spec.probe()),
    logFile: spec.mainLog,
  };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(100);
  }
  return !(await isAlive(pid));
}
