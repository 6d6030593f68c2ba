import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../stack/config.ts';
import { isOurProcess, readPidFile } from '../../stack/pid-file.ts';
import { assertPortsFree } from '../../stack/ports.ts';
import { serviceSpec } from '../../stack/service-spec.ts';
import { startService } from '../../stack/service-control.ts';
import { stackStatus } from '../../stack/stack.ts';
import { SERVICE_NAMES } from '../../stack/types.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Listens on an ephemeral loopback port; the caller closes it. */
async function listen(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}
const portOf = (server: net.Server): number => (server.address() as net.AddressInfo).port;
const close = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('stack (already brought up by the test runner)', () => {
  const config = loadStackConfig(process.env);

  it('reports Kafka, ClickHouse and Alertmanager running and healthy, with the pids from our pid files', async () => {
    const status = await stackStatus(config);
    expect(status.healthy).toBe(true);
    for (const name of SERVICE_NAMES) {
      const service = status.services[name];
      const spec = serviceSpec(config, name);
      expect(service, name).toMatchObject({ name, state: 'running', healthy: true, port: spec.ports[0]?.port });
      expect(service.pid).toBe(await readPidFile(spec.pidFile));
      expect(await isOurProcess(service.pid ?? -1, spec.markers)).toBe(true);
    }
    expect(config.endpoints).toEqual({
      kafkaBrokers: [`127.0.0.1:${config.kafka.port}`],
      clickhouseUrl: `http://127.0.0.1:${config.clickhouse.httpPort}`,
      alertmanagerUrl: `http://127.0.0.1:${config.alertmanager.port}`,
    });
  });
});

describe('port check', () => {
  let taken: net.Server;
  let runDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    taken = await listen();
    runDir = await mkdtemp(path.join(os.tmpdir(), 'stack-port-test-'));
    // The other three ports: ephemeral ones that are free right now, so only `taken` can clash.
    const spare = await Promise.all([listen(), listen(), listen()]);
    const [a, b, c] = spare.map(portOf);
    await Promise.all(spare.map(close));
    env = {
      GPU_LEDGER_RUN_DIR: runDir,
      GPU_LEDGER_KAFKA_PORT: String(a),
      GPU_LEDGER_KAFKA_CONTROLLER_PORT: String(b),
      GPU_LEDGER_CLICKHOUSE_TCP_PORT: String(c),
      GPU_LEDGER_CLICKHOUSE_HTTP_PORT: String(portOf(taken)),
    };
  });

  afterAll(async () => {
    await close(taken);
    await rm(runDir, { recursive: true, force: true });
  });

  it('rejects a port held by a process that is not ours, naming the port and the env var to set', async () => {
    const port = portOf(taken);
    const config = loadStackConfig(env);
    await expect(assertPortsFree(config, 'clickhouse')).rejects.toThrow(
      new RegExp(`port ${port} \\(ClickHouse http\\).*GPU_LEDGER_CLICKHOUSE_HTTP_PORT`),
    );
    await expect(assertPortsFree(config, 'kafka')).resolves.toBeUndefined();
  });

  it('makes startService fail before it starts anything', async () => {
    const port = portOf(taken);
    const config = loadStackConfig({
      ...env,
      GPU_LEDGER_KAFKA_PORT: String(port),
      GPU_LEDGER_CLICKHOUSE_HTTP_PORT: env['GPU_LEDGER_KAFKA_PORT'],
    });
    await expect(startService(config, 'kafka', quiet)).rejects.toThrow(`port ${port} (Kafka broker)`);
    expect(await readPidFile(config.kafka.pidFile)).toBeNull();
  });
});
