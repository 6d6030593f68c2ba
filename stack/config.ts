import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../contracts/config-error.ts';

/** Repository root, derived from this file's location (stack/config.ts), not from the cwd. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every service binds here and every client must use it literally (Node resolves localhost to ::1 first). */
export const STACK_HOST = '127.0.0.1';

/** Fixed KRaft cluster id (22-char base64url of the 16 bytes "GpuLedgerLocal01"); the run dir is formatted once. */
export const KAFKA_CLUSTER_ID = 'R3B1TGVkZ2VyTG9jYWwwMQ';

/** Local stack configuration: ports, directories and derived client endpoints. Frozen, fully defaulted. */
export interface StackConfig {
  readonly repoRoot: string;
  readonly host: typeof STACK_HOST;
  /** Everything the stack writes (data, logs, pid files, rendered configs) lives under here. */
  readonly runDir: string;
  readonly logsDir: string;
  /** How long `up`/`start` waits for a service to answer its health probe. */
  readonly healthTimeoutMs: number;
  /** How long `down`/`stop` waits after SIGTERM before SIGKILL. */
  readonly stopTimeoutMs: number;
  readonly kafka: {
    readonly port: number;
    readonly controllerPort: number;
    readonly clusterId: string;
    readonly pomFile: string;
    readonly libDir: string;
    readonly log4jFile: string;
    readonly dir: string;
    readonly dataDir: string;
    readonly propertiesFile: string;
    readonly pidFile: string;
    readonly stdoutLog: string;
    readonly serverLog: string;
  };
  readonly clickhouse: {
    readonly httpPort: number;
    readonly tcpPort: number;
    readonly serverBin: string;
    readonly templatesDir: string;
    readonly dir: string;
    readonly configFile: string;
    readonly usersFile: string;
    readonly pidFile: string;
    readonly stdoutLog: string;
    readonly serverLog: string;
    readonly errorLog: string;
  };
  readonly alertmanager: {
    readonly port: number;
    readonly bin: string;
    readonly templateFile: string;
    readonly dir: string;
    readonly dataDir: string;
    readonly configFile: string;
    readonly pidFile: string;
    readonly stdoutLog: string;
  };
  /** What clients connect to. */
  readonly endpoints: {
    /** e.g. `['127.0.0.1:19092']` */
    readonly kafkaBrokers: readonly string[];
    /** e.g. `http://127.0.0.1:18123` */
    readonly clickhouseUrl: string;
    /** e.g. `http://127.0.0.1:19095` (its v2 API under /api/v2) */
    readonly alertmanagerUrl: string;
  };
}

/** Env var names, in one place. */
export const STACK_ENV = {
  runDir: 'GPU_LEDGER_RUN_DIR',
  kafkaPort: 'GPU_LEDGER_KAFKA_PORT',
  kafkaControllerPort: 'GPU_LEDGER_KAFKA_CONTROLLER_PORT',
  clickhouseHttpPort: 'GPU_LEDGER_CLICKHOUSE_HTTP_PORT',
  clickhouseTcpPort: 'GPU_LEDGER_CLICKHOUSE_TCP_PORT',
  alertmanagerPort: 'GPU_LEDGER_ALERTMANAGER_PORT',
  timeoutS: 'GPU_LEDGER_STACK_TIMEOUT_S',
} as const;

const DEFAULT_PORTS = {
  kafkaPort: 19092,
  kafkaControllerPort: 19093,
  clickhouseHttpPort: 18123,
  clickhouseTcpPort: 19000,
  // Not Alertmanager's 9093 (Kafka's sample controller port) nor 9094 (its gossip).
  alertmanagerPort: 19095,
} as const;

function readPort(env: NodeJS.ProcessEnv, key: keyof typeof DEFAULT_PORTS, problems: string[]): number {
  const name = STACK_ENV[key];
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORTS[key];
  const port = Number(raw.trim());
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    problems.push(`${name}=${JSON.stringify(raw)}: must be an integer port in 1024..65535`);
    return DEFAULT_PORTS[key];
  }
  return port;
}

function readTimeoutMs(env: NodeJS.ProcessEnv, problems: string[]): number {
  const raw = env[STACK_ENV.timeoutS];
  if (raw === undefined || raw.trim() === '') return 120_000;
  const seconds = Number(raw.trim());
  if (!Number.isFinite(seconds) || seconds <= 0) {
    problems.push(`${STACK_ENV.timeoutS}=${JSON.stringify(raw)}: must be a positive number of seconds`);
    return 120_000;
  }
  return Math.round(seconds * 1000);
}

function readRunDir(env: NodeJS.ProcessEnv, problems: string[]): string {
  const raw = env[STACK_ENV.runDir];
  const fallback = path.join(REPO_ROOT, '.run', 'stack');
  if (raw === undefined || raw.trim() === '') return fallback;
  // Relative values are taken from the repo root, so the result does not depend on the cwd.
  const dir = path.resolve(REPO_ROOT, raw.trim());
  // `stack reset` deletes this directory: refuse the obviously dangerous ones.
  if (dir === path.parse(dir).root || dir === REPO_ROOT || REPO_ROOT.startsWith(dir + path.sep)) {
    problems.push(
      `${STACK_ENV.runDir}=${JSON.stringify(raw)}: must be a dedicated directory, not / or the repo (or a parent of it)`,
    );
    return fallback;
  }
  return dir;
}

/** Reads the stack configuration from `env`. Pure; throws one ConfigError listing every problem. */
export function loadStackConfig(env: NodeJS.ProcessEnv): StackConfig {
  const problems: string[] = [];
  const runDir = readRunDir(env, problems);
  const kafkaPort = readPort(env, 'kafkaPort', problems);
  const kafkaControllerPort = readPort(env, 'kafkaControllerPort', problems);
  const clickhouseHttpPort = readPort(env, 'clickhouseHttpPort', problems);
  const clickhouseTcpPort = readPort(env, 'clickhouseTcpPort', problems);
  const alertmanagerPort = readPort(env, 'alertmanagerPort', problems);
  const healthTimeoutMs = readTimeoutMs(env, problems);

  const ports: Array<[string, number]> = [
    [STACK_ENV.kafkaPort, kafkaPort],
    [STACK_ENV.kafkaControllerPort, kafkaControllerPort],
    [STACK_ENV.clickhouseHttpPort, clickhouseHttpPort],
    [STACK_ENV.clickhouseTcpPort, clickhouseTcpPort],
    [STACK_ENV.alertmanagerPort, alertmanagerPort],
  ];
  for (const [i, [name, port]] of ports.entries()) {
    const clash = ports.slice(0, i).find(([, other]) => other === port);
    if (clash) problems.push(`${name} and ${clash[0]} are both ${port}: every service port must differ`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const logsDir = path.join(runDir, 'logs');
  const kafkaDir = path.join(runDir, 'kafka');
  const chDir = path.join(runDir, 'clickhouse');
  const amDir = path.join(runDir, 'alertmanager');
  const config: StackConfig = {
    repoRoot: REPO_ROOT,
    host: STACK_HOST,
    runDir,
    logsDir,
    healthTimeoutMs,
    stopTimeoutMs: 30_000,
    kafka: {
      port: kafkaPort,
      controllerPort: kafkaControllerPort,
      clusterId: KAFKA_CLUSTER_ID,
      pomFile: path.join(REPO_ROOT, 'infra', 'kafka', 'pom.xml'),
      libDir: path.join(REPO_ROOT, 'infra', 'kafka', 'target', 'kafka-libs'),
      log4jFile: path.join(REPO_ROOT, 'infra', 'kafka', 'log4j.properties'),
      dir: kafkaDir,
      dataDir: path.join(kafkaDir, 'data'),
      propertiesFile: path.join(kafkaDir, 'server.properties'),
      pidFile: path.join(kafkaDir, 'kafka.pid'),
      stdoutLog: path.join(logsDir, 'kafka.out'),
      serverLog: path.join(logsDir, 'kafka-server.log'),
    },
    clickhouse: {
      httpPort: clickhouseHttpPort,
      tcpPort: clickhouseTcpPort,
      serverBin: '/usr/sbin/clickhouse-server',
      templatesDir: path.join(REPO_ROOT, 'infra', 'clickhouse'),
      dir: chDir,
      configFile: path.join(chDir, 'config.xml'),
      usersFile: path.join(chDir, 'users.xml'),
      pidFile: path.join(chDir, 'clickhouse.pid'),
      stdoutLog: path.join(logsDir, 'clickhouse.out'),
      serverLog: path.join(logsDir, 'clickhouse-server.log'),
      errorLog: path.join(logsDir, 'clickhouse-server.err.log'),
    },
    alertmanager: {
      port: alertmanagerPort,
      bin: '/usr/bin/prometheus-alertmanager',
      templateFile: path.join(REPO_ROOT, 'infra', 'alertmanager', 'alertmanager.yml.tmpl'),
      dir: amDir,
      dataDir: path.join(amDir, 'data'),
      configFile: path.join(amDir, 'alertmanager.yml'),
      pidFile: path.join(amDir, 'alertmanager.pid'),
      stdoutLog: path.join(logsDir, 'alertmanager.log'),
    },
    endpoints: {
      kafkaBrokers: Object.freeze([`${STACK_HOST}:${kafkaPort}`]),
      clickhouseUrl: `http://${STACK_HOST}:${clickhouseHttpPort}`,
      alertmanagerUrl: `http://${STACK_HOST}:${alertmanagerPort}`,
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value))
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  return Object.freeze(value);
}

/** The real process environment, for entry points; the only `process.env` read in the stack. */
export const processEnv = (): NodeJS.ProcessEnv => process.env;
