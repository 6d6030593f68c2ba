import { afterAll } from 'vitest';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { describeCliDemo } from '../cli-demo.ts';
import { loadTestServices } from '../helpers/services.ts';
import { uniqueName } from '../helpers/wait-for.ts';

const services = loadTestServices(process.env);
const database = uniqueName('cli');

describeCliDemo('distributed', () => ({
  GPU_LEDGER_MODE: 'distributed',
  GPU_LEDGER_DATABASE: database,
  GPU_LEDGER_TOPIC_PREFIX: `${database}.`,
  GPU_LEDGER_KAFKA_BROKERS: services.kafkaBrokers.join(','),
  GPU_LEDGER_CLICKHOUSE_URL: services.clickhouseUrl,
}));

afterAll(async () => {
  const executor = createClickHouseServerExecutor({ url: services.clickhouseUrl, requestTimeoutMs: 30_000 });
  await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  await executor.close();
});
