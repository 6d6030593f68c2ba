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
  /** How the clients reach Kafka: TLS and SASL (GPU_LEDGER_KAFKA_TLS, GPU_LEDGER_KAFKA_SASL_*). */
  readonly kafkaSecurity: KafkaSecurity;
  /** Replication factor of the topics the project creates (GPU_LEDGER_KAFKA_REPLICATION_FACTOR); null: the broker's default.replication.factor. */
  readonly kafkaReplicationFactor: number | null;
  /** Prepended to every Kafka topic name (several environments on one cluster). */
  readonly topicPrefix: string;
  readonly clickhouseUrl: string;
  readonly database: string;
  /** chDB data directory (embedded mode). */
  readonly chdbDir: string;
  /** Price catalog YAML (GPU_LEDGER_PRICE_CATALOG); null = the shipped config/prices/default.yaml. */
  readonly priceCatalogPath: string | null;
  /** Cost attribution YAML (GPU_LEDGER_COST_CONFIG: tenants, idle sharing, node pricing); null = defaults. */
  readonly costConfigPath: string | null;
  readonly nvidiaSmiPath: string;
  readonly nvidiaSmiTimeoutMs: number;
  readonly sampleIntervalMs: number;
  /** GPU_LEDGER_LOG_LEVEL; null when unset (each command has its own default: the demo logs errors only). */
  readonly logLevel: string | null;
  /** The agent's on-disk spool for batches Kafka has not acknowledged yet (survives restarts). */
  readonly spoolDir: string;
  /** Bound on the spool's disk use; past it the oldest batches are evicted (and counted). */
  readonly spoolMaxBytes: number;
  readonly spoolFsync: FsyncPolicy;
  readonly spoolFsyncIntervalMs: number;
  /** While caught up, the spool sends to Kafka at most this often (the batches between go in one request); 0: at once. */
  readonly spoolSendIntervalMs: number;
  /** Where the agent serves /metrics and /healthz. */
  readonly agentMetricsHost: string;
  readonly agentMetricsPort: number;
  /** Real captured telemetry the demo and the fake nvidia-smi replay (../shared/fixtures/telemetry). */
  readonly fixturesDir: string;
  /** Real traces (../shared/traces); the demo drives utilization from gentd26. */
  readonly tracesDir: string;
  /** Where the agent reads GPU samples: the nvidia-smi CSV fast path, the full XML, or dcgm-exporter. */
  readonly gpuSource: GpuSource;
  readonly dcgmUrl: string;
  /**
   * With dcgm-exporter as the GPU source, also read the GPU process list from `nvidia-smi -q -x` (pids
   * and their MIG instances) so that samples bind to pods; dcgm-exporter lists no processes.
   */
  readonly dcgmProcesses: 'nvidia-smi' | 'none';
  /** Model servers the agent scrapes: `vllm=http://…/metrics,triton=…`. */
  readonly modelServers: readonly { readonly kind: 'vllm' | 'triton' | 'tgi'; readonly url: string }[];
  /** Kernel log to follow for Xid errors; empty: off. */
  readonly xidLogPath: string;
  /** Host /proc (the agent needs hostPID) for GPU process → pod binding; empty: off. */
  readonly procRoot: string;
  /** Watch this node's pods through the Kubernetes API (kubeconfig or in-cluster) and publish lifecycle events. */
  readonly watchPods: boolean;
  /** Anomaly rules YAML (GPU_LEDGER_RULES); null = the built-in rules with their defaults. */
  readonly rulesPath: string | null;
  /** Alertmanager to deliver alerts to (its v2 API), e.g. http://127.0.0.1:9093; '' = none. */
  readonly alertmanagerUrl: string;
  /** Webhooks to deliver alerts to (Slack-compatible body), by name. */
  readonly alertWebhooks: readonly { readonly name: string; readonly url: string }[];
  /** HMAC-SHA256 key signing webhook bodies; '' = unsigned. Never logged. */
  readonly alertWebhookSecret: string;
  /** A receiver that does not answer within this is retried later. */
  readonly alertTimeoutMs: number;
  /**
   * GPU_LEDGER_SHUTDOWN_TIMEOUT_MS: from SIGTERM/SIGINT to exit, at most this long (cli/shutdown.ts).
   * Keep it below the pod's terminationGracePeriodSeconds (the Helm chart adds a margin to it).
   */
  readonly shutdownTimeoutMs: number;
  /** `gpu-ledger api`: listen address, limits, custom roles, SSO, audit buffer (api/README.md). */
  readonly api: ApiSettings;
}

export interface ApiSettings {
  readonly host: string;
  readonly port: number;
  /** Custom roles YAML (GPU_LEDGER_API_ROLES); null = built-in roles only. */
  readonly rolesPath: string | null;
  /** OIDC SSO: all three of issuer, audience and JWKS URL, or none (tokens only). */
  readonly oidc: { readonly issuer: string; readonly audience: string; readonly jwksUrl: string } | null;
  readonly tokenCacheMs: number;
  /** Ledger/quota/model-cost results kept while their tables are unchanged; 0 = off. */
  readonly readCacheEntries: number;
  readonly rateLimitPerMinute: number;
  readonly maxWindowDays: number;
  readonly maxRows: number;
  readonly corsOrigins: readonly string[];
  readonly auditMaxPending: number;
  readonly auditSpoolPath: string;
}

function parseApiSettings(
  env: NodeJS.ProcessEnv,
  cwd: string,
  positiveInt: (name: string, fallback: number) => number,
  problems: string[],
): ApiSettings {
  const get = (name: string) => env[name]?.trim() ?? '';
  const addr = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(
    get('GPU_LEDGER_API_ADDR') || '127.0.0.1:8080',
  );
  if (!addr || Number(addr[3]) > 65_535)
    problems.push(
      `GPU_LEDGER_API_ADDR must be host:port (e.g. 127.0.0.1:8080 or [::]:8080), got "${get('GPU_LEDGER_API_ADDR')}"`,
    );
  const oidcParts = ['GPU_LEDGER_API_OIDC_ISSUER', 'GPU_LEDGER_API_OIDC_AUDIENCE', 'GPU_LEDGER_API_OIDC_JWKS_URL'].map(
    get,
  );
  const [issuer = '', audience = '', jwksUrl = ''] = oidcParts;
  const oidcSet = oidcParts.filter((p) => p !== '').length;
  if (oidcSet !== 0 && oidcSet !== 3)
    problems.push('GPU_LEDGER_API_OIDC_ISSUER, _AUDIENCE and _JWKS_URL go together: set all three or none');
  if (jwksUrl !== '' && !URL.canParse(jwksUrl))
    problems.push(`GPU_LEDGER_API_OIDC_JWKS_URL is not a URL: "${jwksUrl}"`);
  const corsOrigins = get('GPU_LEDGER_API_CORS_ORIGINS')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const o of corsOrigins)
    if (!/^https?:\/\/[^/\s]+$/.test(o))
      problems.push(`GPU_LEDGER_API_CORS_ORIGINS: "${o}" is not an origin (https://host[:port])`);
  return {
    host: addr?.[1] ?? addr?.[2] ?? '127.0.0.1',
    port: Number(addr?.[3] ?? 8080),
    rolesPath: get('GPU_LEDGER_API_ROLES') ? resolve(cwd, get('GPU_LEDGER_API_ROLES')) : null,
    oidc: oidcSet === 3 ? { issuer, audience, jwksUrl } : null,
    tokenCacheMs: positiveInt('GPU_LEDGER_API_TOKEN_CACHE_MS', 5000),
    readCacheEntries:
      get('GPU_LEDGER_API_READ_CACHE_ENTRIES') === '0' ? 0 : positiveInt('GPU_LEDGER_API_READ_CACHE_ENTRIES', 512),
    rateLimitPerMinute: positiveInt('GPU_LEDGER_API_RATE_LIMIT', 600),
    maxWindowDays: positiveInt('GPU_LEDGER_API_MAX_WINDOW_DAYS', 400),
    maxRows: positiveInt('GPU_LEDGER_API_MAX_ROWS', 10_000),
    corsOrigins,
    auditMaxPending: positiveInt('GPU_LEDGER_API_AUDIT_MAX_PENDING', 100_000),
    auditSpoolPath: resolve(cwd, get('GPU_LEDGER_API_AUDIT_SPOOL') || '.run/api-audit-spool.jsonl'),
  };
}

export const GPU_SOURCES = ['nvidia-smi-csv', 'nvidia-smi-xml', 'dcgm'] as const;
export type GpuSource = (typeof GPU_SOURCES)[number];
const MODEL_SERVER_KINDS = ['vllm', 'triton', 'tgi'] as const;

function parseModelServers(raw: string, problems: string[]): AppConfig['modelServers'] {
  if (raw === '') return [];
  return raw.split(',').flatMap((entry) => {
    const [kind, url] = [entry.slice(0, entry.indexOf('=')).trim(), entry.slice(entry.indexOf('=') + 1).trim()];
    if (!(MODEL_SERVER_KINDS as readonly string[]).includes(kind) || !URL.canParse(url)) {
      problems.push(`GPU_LEDGER_MODEL_SERVERS: "${entry}" is not kind=url with kind vllm, triton or tgi`);
      return [];
    }
    return [{ kind: kind as (typeof MODEL_SERVER_KINDS)[number], url }];
  });
}

/** `ops=https://…,https://…` → named webhooks (a bare URL is named webhook, webhook-2, …). */
function parseWebhooks(raw: string, problems: string[]): AppConfig['alertWebhooks'] {
  if (raw === '') return [];
  const out = raw.split(',').flatMap((entry, i) => {
    const eq = entry.indexOf('=');
    const named = eq > 0 && /^[a-z][a-z0-9-]*$/.test(entry.slice(0, eq).trim());
    const name = named ? entry.slice(0, eq).trim() : i === 0 ? 'webhook' : `webhook-${i + 1}`;
    const url = (named ? entry.slice(eq + 1) : entry).trim();
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      problems.push(
        `GPU_LEDGER_ALERT_WEBHOOKS: "${entry.trim()}" is not [name=]http(s)://… (names: lower-case, digits, -)`,
      );
      return [];
    }
    return [{ name: `webhook:${name}`, url }];
  });
  const names = out.map((w) => w.name);
  for (const [i, n] of names.entries())
    if (names.indexOf(n) !== i) problems.push(`GPU_LEDGER_ALERT_WEBHOOKS: two webhooks are named ${n.slice(8)}`);
  return out;
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** TLS on or off, and SASL credentials when a mechanism is set (the password is never logged or echoed). */
export interface KafkaSecurity {
  readonly tls: boolean;
  readonly sasl: {
    readonly mechanism: (typeof SASL_MECHANISMS)[number];
    readonly username: string;
    readonly password: string;
  } | null;
}

function parseKafkaSecurity(env: NodeJS.ProcessEnv, problems: string[]): KafkaSecurity {
  const tls = env['GPU_LEDGER_KAFKA_TLS']?.trim() || 'false';
  if (!['true', 'false'].includes(tls)) problems.push(`GPU_LEDGER_KAFKA_TLS must be true or false, got "${tls}"`);
  const mechanism = env['GPU_LEDGER_KAFKA_SASL_MECHANISM']?.trim() ?? '';
  if (mechanism === '') return { tls: tls === 'true', sasl: null };
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
    problems.push(`GPU_LEDGER_KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`);
  const username = env['GPU_LEDGER_KAFKA_SASL_USERNAME']?.trim() ?? '';
  if (username === '') problems.push('GPU_LEDGER_KAFKA_SASL_USERNAME is required with GPU_LEDGER_KAFKA_SASL_MECHANISM');
  const password = env['GPU_LEDGER_KAFKA_SASL_PASSWORD'] ?? '';
  return {
    tls: tls === 'true',
    sasl: { mechanism: mechanism as (typeof SASL_MECHANISMS)[number], username, password },
  };
}

/** 16 segments of the smallest size the spool uses (64 KiB, which is also its smallest entry limit). */
const MIN_SPOOL_BYTES = 1024 * 1024;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * GPU_LEDGER_LOG_LEVEL when set to a pino level, else null. The root logger is made before the whole
 * config is checked (a bad value is reported by loadConfig with the other problems).
 */
export function logLevelFromEnv(env: Readonly<Record<string, string | undefined>>): string | null {
  const level = env['GPU_LEDGER_LOG_LEVEL']?.trim();
  return level && LOG_LEVELS.includes(level) ? level : null;
}

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
  if (!Object.values<string>(MODES).includes(mode))
    problems.push(`GPU_LEDGER_MODE must be embedded or distributed, got "${mode}"`);
  const kafkaBrokers = get('GPU_LEDGER_KAFKA_BROKERS', '127.0.0.1:19092')
    .split(',')
    .map((b) => b.trim());
  for (const b of kafkaBrokers)
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(b)) problems.push(`GPU_LEDGER_KAFKA_BROKERS: "${b}" is not host:port`);
  if (!/^[A-Za-z0-9._-]*$/.test(env['GPU_LEDGER_TOPIC_PREFIX']?.trim() ?? ''))
    problems.push('GPU_LEDGER_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"');
  const kafkaSecurity = parseKafkaSecurity(env, problems);
  const clickhouseUrl = get('GPU_LEDGER_CLICKHOUSE_URL', 'http://127.0.0.1:18123');
  if (!URL.canParse(clickhouseUrl)) problems.push(`GPU_LEDGER_CLICKHOUSE_URL is not a URL: "${clickhouseUrl}"`);
  const database = get('GPU_LEDGER_DATABASE', 'gpu_ledger');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database))
    problems.push(`GPU_LEDGER_DATABASE must be a plain identifier, got "${database}"`);
  const spoolMaxBytes = positiveInt('GPU_LEDGER_SPOOL_MAX_BYTES', 256 * 1024 * 1024);
  if (spoolMaxBytes > 0 && spoolMaxBytes < MIN_SPOOL_BYTES)
    problems.push(`GPU_LEDGER_SPOOL_MAX_BYTES must be at least ${MIN_SPOOL_BYTES}, got ${spoolMaxBytes}`);
  const spoolFsync = get('GPU_LEDGER_SPOOL_FSYNC', 'interval');
  if (!Object.values<string>(FSYNC_POLICIES).includes(spoolFsync))
    problems.push(`GPU_LEDGER_SPOOL_FSYNC must be always, interval or never, got "${spoolFsync}"`);
  const spoolSendIntervalMs = Number(get('GPU_LEDGER_SPOOL_SEND_INTERVAL_MS', '5000'));
  if (!Number.isInteger(spoolSendIntervalMs) || spoolSendIntervalMs < 0)
    problems.push(
      `GPU_LEDGER_SPOOL_SEND_INTERVAL_MS must be an integer of 0 or more, got "${env['GPU_LEDGER_SPOOL_SEND_INTERVAL_MS']}"`,
    );
  const metricsAddr = get('GPU_LEDGER_AGENT_METRICS_ADDR', '127.0.0.1:9403');
  const addr = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(metricsAddr);
  if (!addr || Number(addr[3]) > 65_535)
    problems.push(
      `GPU_LEDGER_AGENT_METRICS_ADDR must be host:port (e.g. 127.0.0.1:9403 or [::]:9403), got "${metricsAddr}"`,
    );
  const gpuSource = get('GPU_LEDGER_GPU_SOURCE', 'nvidia-smi-csv');
  if (!(GPU_SOURCES as readonly string[]).includes(gpuSource))
    problems.push(`GPU_LEDGER_GPU_SOURCE must be one of ${GPU_SOURCES.join(', ')}, got "${gpuSource}"`);
  const dcgmUrl = get('GPU_LEDGER_DCGM_URL', 'http://127.0.0.1:9400/metrics');
  if (!URL.canParse(dcgmUrl)) problems.push(`GPU_LEDGER_DCGM_URL is not a URL: "${dcgmUrl}"`);
  const dcgmProcesses = get('GPU_LEDGER_DCGM_PROCESSES', 'none');
  if (dcgmProcesses !== 'nvidia-smi' && dcgmProcesses !== 'none')
    problems.push(`GPU_LEDGER_DCGM_PROCESSES must be nvidia-smi or none, got "${dcgmProcesses}"`);
  const watchPods = get('GPU_LEDGER_WATCH_PODS', 'false');
  if (!['true', 'false'].includes(watchPods))
    problems.push(`GPU_LEDGER_WATCH_PODS must be true or false, got "${watchPods}"`);
  const alertmanagerUrl = env['GPU_LEDGER_ALERTMANAGER_URL']?.trim() ?? '';
  if (alertmanagerUrl !== '' && !URL.canParse(alertmanagerUrl))
    problems.push(`GPU_LEDGER_ALERTMANAGER_URL is not a URL: "${alertmanagerUrl}"`);
  const logLevel = logLevelFromEnv(env);
  if (logLevel === null && env['GPU_LEDGER_LOG_LEVEL']?.trim())
    problems.push(`GPU_LEDGER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: AppConfig = {
    mode: mode as Mode,
    cluster: get('GPU_LEDGER_CLUSTER', 'default'),
    node: get('GPU_LEDGER_NODE', hostname()),
    kafkaBrokers,
    kafkaSecurity,
    kafkaReplicationFactor: env['GPU_LEDGER_KAFKA_REPLICATION_FACTOR']?.trim()
      ? positiveInt('GPU_LEDGER_KAFKA_REPLICATION_FACTOR', 1)
      : null,
    topicPrefix: env['GPU_LEDGER_TOPIC_PREFIX']?.trim() ?? '',
    clickhouseUrl,
    database,
    chdbDir: resolve(cwd, get('GPU_LEDGER_CHDB_DIR', '.run/chdb')),
    priceCatalogPath: env['GPU_LEDGER_PRICE_CATALOG']?.trim()
      ? resolve(cwd, get('GPU_LEDGER_PRICE_CATALOG', ''))
      : null,
    costConfigPath: env['GPU_LEDGER_COST_CONFIG']?.trim() ? resolve(cwd, get('GPU_LEDGER_COST_CONFIG', '')) : null,
    nvidiaSmiPath: get('GPU_LEDGER_NVIDIA_SMI', '/usr/bin/nvidia-smi'),
    nvidiaSmiTimeoutMs: positiveInt('GPU_LEDGER_NVIDIA_SMI_TIMEOUT_MS', 5000),
    sampleIntervalMs: positiveInt('GPU_LEDGER_SAMPLE_INTERVAL_MS', 10_000),
    logLevel,
    spoolDir: resolve(cwd, get('GPU_LEDGER_SPOOL_DIR', '.run/agent-spool')),
    spoolMaxBytes,
    spoolFsync: spoolFsync as FsyncPolicy,
    spoolFsyncIntervalMs: positiveInt('GPU_LEDGER_SPOOL_FSYNC_INTERVAL_MS', 1000),
    spoolSendIntervalMs,
    agentMetricsHost: addr?.[1] ?? addr?.[2] ?? '127.0.0.1',
    agentMetricsPort: Number(addr?.[3] ?? 9403),
    fixturesDir: resolve(cwd, get('GPU_LEDGER_FIXTURES_DIR', '../shared/fixtures/telemetry')),
    tracesDir: resolve(cwd, get('GPU_LEDGER_TRACES_DIR', '../shared/traces')),
    gpuSource: gpuSource as GpuSource,
    dcgmUrl,
    dcgmProcesses: dcgmProcesses === 'nvidia-smi' ? 'nvidia-smi' : 'none',
    modelServers: parseModelServers(env['GPU_LEDGER_MODEL_SERVERS']?.trim() ?? '', problems),
    xidLogPath: env['GPU_LEDGER_XID_LOG']?.trim() ?? '',
    procRoot: env['GPU_LEDGER_PROC_ROOT']?.trim() ?? '/proc',
    watchPods: watchPods === 'true',
    rulesPath: env['GPU_LEDGER_RULES']?.trim() ? resolve(cwd, get('GPU_LEDGER_RULES', '')) : null,
    alertmanagerUrl,
    alertWebhooks: parseWebhooks(env['GPU_LEDGER_ALERT_WEBHOOKS']?.trim() ?? '', problems),
    alertWebhookSecret: env['GPU_LEDGER_ALERT_WEBHOOK_SECRET'] ?? '',
    alertTimeoutMs: positiveInt('GPU_LEDGER_ALERT_TIMEOUT_MS', 5000),
    shutdownTimeoutMs: positiveInt('GPU_LEDGER_SHUTDOWN_TIMEOUT_MS', 10_000),
    api: parseApiSettings(env, cwd, positiveInt, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
