import { describe, expect, it } from 'vitest';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { StoreUnavailableError } from '../../pipeline/store/errors.ts';
import { sql } from '../../pipeline/store/sql.ts';
import { describeStoreConformance } from '../store-conformance.ts';

// The one ClickHouse server CI starts (`gpu-ledger stack up`); isolation is by database name.
const url = process.env['GPU_LEDGER_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:18123';

describeStoreConformance(`ClickHouse server (${url})`, () =>
  Promise.resolve(createClickHouseServerExecutor({ url, requestTimeoutMs: 30_000 })),
);

describe('ClickHouse server executor: unavailable store', () => {
  it('reports a refused connection as a retriable StoreUnavailableError', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const executor = createClickHouseServerExecutor({ url: 'http://127.0.0.1:1', requestTimeoutMs: 2_000 });
    const error: unknown = await executor.query(sql`SELECT 1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ retriable: true, code: 'STORE_UNAVAILABLE' });
    await executor.close();
  });

  it('reports a request past its timeout as a StoreUnavailableError', async () => {
    const executor = createClickHouseServerExecutor({ url, requestTimeoutMs: 300 });
    const error: unknown = await executor.query(sql`SELECT sleep(2)`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    await executor.close();
  });
});
