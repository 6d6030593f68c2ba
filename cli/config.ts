import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { FSYNC_POLICIES, type FsyncPolicy } from '../collectors/spool/spool-log.ts';
import { ConfigError } from '../contracts/config-error.ts';

export const MODES = { embedded: 'embedded', distributed: 'distributed' } as const;
export type Mode = (typeof MODES)[keyof typeof MODES];

/** Everything the gpu-ledger processes read from the environment. No other file reads process.env. */
export interface AppConfig {
  readonly mode: Mode;
  readonly cluster: string;
  readonly node: string;
  readonly kafkaBrokers: readonly string[];
  /** Prepended to every Kafka topic name (several environments on one cluster). */
  readonly topicPrefix: string;
  readonly clickhouseUrl: string;
  readonly database: string;
  /** chDB data directory (embedded mode). */
  readonly chdbDir: string;
  readonly nvidiaSmiPath: string;
  readonly nvidiaSmiTimeoutMs: number;
  readonly sampleIntervalMs: number;
  readonly logLevel: string;
  /** The agent's on-disk spool for batches Kafka has not acknowledged yet (survives restarts). */
  readonly spoolDir: string;
  /** Bound on the spool's disk use; past it the oldest batches are evicted (and counted). */
  readonly spoolMaxBytes: number;
  readonly spoolFsync: FsyncPolicy;
  readonly spoolFsyncIntervalMs: number;
  /** Where the agent serves /metrics and /healthz. */
  readonly agentMetricsHost: string;
  readonly agentMetricsPort: number;
  /** Real captured telemetry the demo and the fake nvidia-smi replay (../shared/fixtures/telemetry). */
  readonly fixturesDir: string;
}

/** 16 segments of the smallest size the spool uses (64 KiB, which is also its smallest entry limit). */
const MIN_SPOOL_BYTES = 1024 * 1024;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Pure: reads `env` (pass process.env from main), validates every value, returns a frozen config.
 * Throws one ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string): AppConfig {
  const problems: string[] = [];
  const get = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const positiveInt = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) problems.push(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };

  const mode = get('GPU_LEDGER_MODE', 'embedded');
  if (!Object.values<string>(MODES).includes(mode)) problems.push(`GPU_LEDGER_MODE must be embedded or distributed, got "${mode}"`);
  const kafkaBrokers = get('GPU_LEDGER_KAFKA_BROKERS', '127.0.0.1:19092').split(',').map((b) => b.trim());
  for (const b of kafkaBrokers) if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(b)) problems.push(`GPU_LEDGER_KAFKA_BROKERS: "${b}" is not host:port`);
  if (!/^[A-Za-z0-9._-]*$/.test(env['GPU_LEDGER_TOPIC_PREFIX']?.trim() ?? '')) problems.push('GPU_LEDGER_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"');
  const clickhouseUrl = get('GPU_LEDGER_CLICKHOUSE_URL', 'http://127.0.0.1:18123');
  if (!URL.canParse(clickhouseUrl)) problems.push(`GPU_LEDGER_CLICKHOUSE_URL is not a URL: "${clickhouseUrl}"`);
  const database = get('GPU_LEDGER_DATABASE', 'gpu_ledger');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) problems.push(`GPU_LEDGER_DATABASE must be a plain identifier, got "${database}"`);
  const spoolMaxBytes = positiveInt('GPU_LEDGER_SPOOL_MAX_BYTES', 256 * 1024 * 1024);
  if (spoolMaxBytes > 0 && spoolMaxBytes < MIN_SPOOL_BYTES) problems.push(`GPU_LEDGER_SPOOL_MAX_BYTES must be at least ${MIN_SPOOL_BYTES}, got ${spoolMaxBytes}`);
  const spoolFsync = get('GPU_LEDGER_SPOOL_FSYNC', 'interval');
  if (!Object.values<string>(FSYNC_POLICIES).includes(spoolFsync)) problems.push(`GPU_LEDGER_SPOOL_FSYNC must be always, interval or never, got "${spoolFsync}"`);
  const metricsAddr = get('GPU_LEDGER_AGENT_METRICS_ADDR', '127.0.0.1:9403');
  const addr = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(metricsAddr);
  if (!addr || Number(addr[3]) > 65_535) problems.push(`GPU_LEDGER_AGENT_METRICS_ADDR must be host:port (e.g. 127.0.0.1:9403 or [::]:9403), got "${metricsAddr}"`);
  const logLevel = get('GPU_LEDGER_LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`GPU_LEDGER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: AppConfig = {
    mode: mode as Mode,
    cluster: get('GPU_LEDGER_CLUSTER', 'default'),
    node: get('GPU_LEDGER_NODE', hostname()),
    kafkaBrokers,
    topicPrefix: env['GPU_LEDGER_TOPIC_PREFIX']?.trim() ?? '',
    clickhouseUrl,
    database,
    chdbDir: resolve(cwd, get('GPU_LEDGER_CHDB_DIR', '.run/chdb')),
    nvidiaSmiPath: get('GPU_LEDGER_NVIDIA_SMI', '/usr/bin/nvidia-smi'),
    nvidiaSmiTimeoutMs: positiveInt('GPU_LEDGER_NVIDIA_SMI_TIMEOUT_MS', 5000),
    sampleIntervalMs: positiveInt('GPU_LEDGER_SAMPLE_INTERVAL_MS', 10_000),
    logLevel,
    spoolDir: resolve(cwd, get('GPU_LEDGER_SPOOL_DIR', '.run/agent-spool')),
    spoolMaxBytes,
    spoolFsync: spoolFsync as FsyncPolicy,
    spoolFsyncIntervalMs: positiveInt('GPU_LEDGER_SPOOL_FSYNC_INTERVAL_MS', 1000),
    agentMetricsHost: addr?.[1] ?? addr?.[2] ?? '127.0.0.1',
    agentMetricsPort: Number(addr?.[3] ?? 9403),
    fixturesDir: resolve(cwd, get('GPU_LEDGER_FIXTURES_DIR', '../shared/fixtures/telemetry')),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
