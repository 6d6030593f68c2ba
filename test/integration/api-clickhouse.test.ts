import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { loadTestServices } from '../helpers/services.ts';
import { describeApiSuite } from '../kits/api-suite.ts';

const { clickhouseUrl } = loadTestServices(process.env);

describeApiSuite(`ClickHouse server (${clickhouseUrl})`, () =>
  Promise.resolve(createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 30_000 })),
);
