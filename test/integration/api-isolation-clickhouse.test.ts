import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { loadTestServices } from '../helpers/services.ts';
import { describeApiIsolationSuite } from '../kits/api-isolation-suite.ts';

const { clickhouseUrl } = loadTestServices(process.env);

describeApiIsolationSuite(
  `ClickHouse server (${clickhouseUrl})`,
  () => Promise.resolve(createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 30_000 })),
  8,
);
