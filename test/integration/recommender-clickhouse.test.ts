import { describeRecommenderEndToEnd } from '../kits/recommender-e2e-suite.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { loadTestServices } from '../helpers/services.ts';

// The shared ClickHouse 18.16 server (`gpu-ledger stack up`); the suite works in a database of its own.
const { clickhouseUrl } = loadTestServices(process.env);

describeRecommenderEndToEnd(`ClickHouse server (${clickhouseUrl})`, () =>
  Promise.resolve(createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 60_000 })),
);
