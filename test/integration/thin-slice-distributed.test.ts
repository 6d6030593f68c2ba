import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { sql, ident } from '../../pipeline/store/sql.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName } from '../helpers/wait-for.ts';
import { describeThinSlice } from '../thin-slice.ts';

const services = loadTestServices(process.env);

// Distributed mode: the real Kafka broker and ClickHouse server that `gpu-ledger stack up` started.
describeThinSlice(
  'distributed (Kafka + ClickHouse server)',
  async () => {
    const database = uniqueName('slice');
    const bus = createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'thin-slice',
      logger: testLogger('kafka'),
      topicPrefix: `${database}.`,
    });
    const executor = createClickHouseServerExecutor({ url: services.clickhouseUrl, requestTimeoutMs: 30_000 });
    const store = createTelemetryStore(executor, { database });
    await store.migrate();
    return {
      bus,
      store,
      async close() {
        await bus.close();
        await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
        await store.close();
      },
    };
  },
  { PATH: process.env['PATH'] ?? '' },
);
