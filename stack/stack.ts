import { access, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackConfig } from './config.ts';
import { restartService, serviceStatus, startService, stopService } from './service-control.ts';
import { StackError } from './stack-error.ts';
import { SERVICE_NAMES, type StackLogger, type StackStatus } from './types.ts';

/** Present in every run dir the stack created; `reset` deletes only directories that carry it. */
const RUN_DIR_MARKER = '.gpu-ledger-stack';

export interface StackUpOptions {
  /** Wipe the run dir (all topics, tables, logs) before starting. */
  readonly clean?: boolean;
}

/**
 * Brings Kafka, ClickHouse and Alertmanager up (installing what is missing) and waits until all are healthy.
 * Idempotent: services of ours that already run are left alone. Services start in parallel.
 */
export async function stackUp(
  config: StackConfig,
  log: StackLogger,
  options: StackUpOptions = {},
): Promise<StackStatus> {
  const started = Date.now();
  if (options.clean) await stackReset(config, log);
  await mkdir(config.runDir, { recursive: true });
  await writeFile(
    path.join(config.runDir, RUN_DIR_MARKER),
    'run dir of `gpu-ledger stack`; `stack reset` deletes it\n',
  );
  const results = await Promise.allSettled(SERVICE_NAMES.map((name) => startService(config, name, log)));
  const failures = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason instanceof Error ? r.reason : new Error(String(r.reason))] : [],
  );
  const [first] = failures;
  if (first && failures.length === 1) throw first;
  if (failures.length > 1) throw new StackError('stack up', failures.map((e) => e.message).join('\n\n'));
  log.info(
    `stack up… ok in ${((Date.now() - started) / 1000).toFixed(1)} s (kafka ${config.endpoints.kafkaBrokers.join(',')}, clickhouse ${config.endpoints.clickhouseUrl}, alertmanager ${config.endpoints.alertmanagerUrl})`,
  );
  return stackStatus(config);
}

/** Stops the services (only processes from our pid files). Data dirs are kept for the next `up`. */
export async function stackDown(config: StackConfig, log: StackLogger): Promise<void> {
  const results = await Promise.allSettled(SERVICE_NAMES.map((name) => stopService(config, name, log)));
  const failures = results.flatMap((r) =>
    r.status === 'rejected' ? [String(r.reason instanceof Error ? r.reason.message : r.reason)] : [],
  );
  if (failures.length > 0) throw new StackError('stack down', failures.join('\n'));
}

/** Per-service state, pid, ports and health. Starts and stops nothing. */
export async function stackStatus(config: StackConfig): Promise<StackStatus> {
  const [kafka, clickhouse, alertmanager] = await Promise.all(SERVICE_NAMES.map((name) => serviceStatus(config, name)));
  const services = { kafka: kafka!, clickhouse: clickhouse!, alertmanager: alertmanager! };
  return { runDir: config.runDir, services, healthy: Object.values(services).every((s) => s.healthy) };
}

/** Stops the stack and deletes the run dir (topics, tables, logs). Refuses a directory the stack did not create. */
export async function stackReset(config: StackConfig, log: StackLogger): Promise<void> {
  await stackDown(config, log);
  const entries = await readdir(config.runDir).catch(() => null);
  if (entries === null || entries.length === 0) return;
  const ours = await access(path.join(config.runDir, RUN_DIR_MARKER)).then(
    () => true,
    () => false,
  );
  if (!ours)
    throw new StackError(
      'stack reset',
      `${config.runDir} has no ${RUN_DIR_MARKER} marker, so it was not created by the stack; not deleting it`,
    );
  log.info(`deleting ${config.runDir}…`);
  await rm(config.runDir, { recursive: true, force: true });
}

/** Broker restart for fault tests: SIGTERM, wait, start again; topics and committed offsets survive. */
export const restartKafka = (config: StackConfig, log: StackLogger): Promise<number> =>
  restartService(config, 'kafka', log);

export { restartService, startService, stopService };
