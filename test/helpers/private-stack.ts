import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackConfig, type StackConfig } from '../../stack/config.ts';
import { startService, stopService } from '../../stack/stack.ts';
import type { ServiceName, StackLogger } from '../../stack/types.ts';

/**
 * The kernel hands out outgoing connections' local ports from this range (Linux default 32768-60999).
 * A service port chosen inside it can be taken by any client socket while the service is stopped,
 * so a restart would find it "in use by a process that is not ours" (seen in CI): pick below it.
 */
const SERVICE_PORTS = { low: 20000, high: 32767 } as const;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Ports handed out, across every process of a test run: `<dir>/<port>.<pid>` per reservation, kept
 * until that process exits. A private service that is stopped for a fault leaves its port free, and
 * another test file's freePort() must not take it meanwhile (seen in CI: an Alertmanager restart
 * found its port "in use by a process that is not ours").
 */
export const RESERVATIONS = join(tmpdir(), 'gpu-ledger-test-ports');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The live processes holding `port` (stale reservations of dead processes are removed). */
function holders(port: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(RESERVATIONS)) {
    const [p, pid] = name.split('.').map(Number);
    if (p !== port || pid === undefined) continue;
    if (alive(pid)) pids.push(pid);
    else rmSync(join(RESERVATIONS, name), { force: true });
  }
  return pids;
}

/** Reserves `port` for this process; false when another live process holds it (or took it at the same time). */
export function reservePort(port: number): boolean {
  mkdirSync(RESERVATIONS, { recursive: true });
  if (holders(port).length > 0) return false;
  const mine = join(RESERVATIONS, `${port}.${process.pid}`);
  writeFileSync(mine, '');
  if (holders(port).every((pid) => pid === process.pid)) return true;
  rmSync(mine, { force: true }); // a race with another process: both back off
  return false;
}

/**
 * A port that is free right now, outside the kernel's ephemeral range (see SERVICE_PORTS), and
 * reserved for this process: no other test process's freePort() returns it while this one lives.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = SERVICE_PORTS.low + Math.floor(Math.random() * (SERVICE_PORTS.high - SERVICE_PORTS.low + 1));
    if ((await canListen(port)) && reservePort(port)) return port;
  }
  throw new Error(`no free port in ${SERVICE_PORTS.low}-${SERVICE_PORTS.high} after 200 tries`);
}

const quiet: StackLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A Kafka broker, ClickHouse server and/or Alertmanager of a test's own, in a temp run dir on free
 * ports, for fault tests that stop and restart services and for tests that must not see each
 * other's alerts: the shared stack that other test files use stays up.
 * The services are the same real ones `gpu-ledger stack up` runs (same jars, same Debian server).
 */
export interface PrivateStack {
  readonly config: StackConfig;
  start(service: ServiceName): Promise<void>;
  stop(service: ServiceName): Promise<void>;
  restart(service: ServiceName): Promise<void>;
  /** Stops whatever is running and deletes the run dir. */
  close(): Promise<void>;
}

export async function createPrivateStack(services: readonly ServiceName[]): Promise<PrivateStack> {
  const runDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-private-stack-'));
  const [kafkaPort, controllerPort, httpPort, tcpPort, alertmanagerPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = loadStackConfig({
    GPU_LEDGER_RUN_DIR: runDir,
    GPU_LEDGER_KAFKA_PORT: String(kafkaPort),
    GPU_LEDGER_KAFKA_CONTROLLER_PORT: String(controllerPort),
    GPU_LEDGER_CLICKHOUSE_HTTP_PORT: String(httpPort),
    GPU_LEDGER_CLICKHOUSE_TCP_PORT: String(tcpPort),
    GPU_LEDGER_ALERTMANAGER_PORT: String(alertmanagerPort),
  });
  const running = new Set<ServiceName>();
  const stack: PrivateStack = {
    config,
    async start(service) {
      await startService(config, service, quiet);
      running.add(service);
    },
    async stop(service) {
      await stopService(config, service, quiet);
      running.delete(service);
    },
    async restart(service) {
      await stack.stop(service);
      await stack.start(service);
    },
    async close() {
      for (const service of [...running]) await stack.stop(service);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
  for (const service of services) await stack.start(service);
  return stack;
}
