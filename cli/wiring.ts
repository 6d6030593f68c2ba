import type { Logger } from 'pino';
import type { BatchedFetch } from '../bus/batched-fetch.ts';
import { createKafkaBus } from '../bus/kafka-bus.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import type { RecordBus } from '../contracts/index.ts';
import { createTelemetryStore, type TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import type { AppConfig } from './config.ts';

/**
 * The one place that picks concrete adapters: Kafka + ClickHouse server in distributed mode,
 * the in-process bus + chDB in embedded mode. Everything else sees RecordBus and TelemetryStore.
 */
export function createBus(config: AppConfig, logger: Logger, clientId: string, fetch?: BatchedFetch): RecordBus {
  return config.mode === 'distributed' ? createKafkaBusFor(config, logger, clientId, fetch) : createMemoryBus();
}

/**
 * The configured Kafka cluster's bus, whatever the mode: the agent is a process of its own on a GPU
 * host and always produces to Kafka (embedded mode runs its agents inside `gpu-ledger demo`).
 */
export function createKafkaBusFor(
  config: AppConfig,
  logger: Logger,
  clientId: string,
  fetch?: BatchedFetch,
): RecordBus {
  return createKafkaBus({
    brokers: config.kafkaBrokers,
    clientId,
    topicPrefix: config.topicPrefix,
    ssl: config.kafkaSecurity.tls,
    ...(config.kafkaSecurity.sasl ? { sasl: config.kafkaSecurity.sasl } : {}),
    ...(config.kafkaReplicationFactor ? { replicationFactor: config.kafkaReplicationFactor } : {}),
    logger: logger.child({ component: 'kafka' }),
    ...fetch?.bus,
  });
}

/**
 * Opens and migrates the store of the configured mode. The executor is imported here, on use:
 * chDB maps a ~500 MB native library, which a process that never opens it (the agent) must not pay.
 */
export async function openStore(config: AppConfig): Promise<TelemetryStore> {
  const executor =
    config.mode === 'distributed'
      ? (await import('../pipeline/store/clickhouse-server-executor.ts')).createClickHouseServerExecutor({
          url: config.clickhouseUrl,
          requestTimeoutMs: 30_000,
        })
      : (await import('../pipeline/store/chdb-executor.ts')).createChdbExecutor({ dataDir: config.chdbDir });
  const store = createTelemetryStore(executor, { database: config.database });
  await store.migrate();
  return store;
}
