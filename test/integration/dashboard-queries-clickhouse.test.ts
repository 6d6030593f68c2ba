import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { loadTestServices } from '../helpers/services.ts';
import { describeDashboardQueries } from '../kits/dashboard-queries-suite.ts';

// The shared ClickHouse 18.16 server; the suite works in a database of its own.
const { clickhouseUrl } = loadTestServices(process.env);

describeDashboardQueries(`ClickHouse server (${clickhouseUrl})`, () =>
  Promise.resolve(createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 60_000 })),
);
