import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { loadTestServices } from '../helpers/services.ts';
import { describeAlertStoreSuite } from '../kits/alert-store-suite.ts';

// The shared ClickHouse server (`gpu-ledger stack up`); the suite works in a database of its own.
const { clickhouseUrl } = loadTestServices(process.env);

describeAlertStoreSuite(`ClickHouse server (${clickhouseUrl})`, () =>
  Promise.resolve(createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 30_000 })),
);
