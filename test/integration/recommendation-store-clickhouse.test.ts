import { describeRecommendationStoreSuite } from '../kits/recommendation-store-suite.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { loadTestServices } from '../helpers/services.ts';

// The shared ClickHouse server (`gpu-ledger stack up`); the suite works in a database of its own.
const { clickhouseUrl } = loadTestServices(process.env);

describeRecommendationStoreSuite(`ClickHouse server (${clickhouseUrl})`, () =>
  Promise.resolve(createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 30_000 })),
);
