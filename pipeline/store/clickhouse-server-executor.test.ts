import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClickHouseServerExecutor } from './clickhouse-server-executor.ts';
import { StoreUnavailableError } from './errors.ts';
import { sql } from './sql.ts';

// An HTTP endpoint that drops the connection of the first `resets` requests without answering (what a
// ClickHouse server does to a keep-alive socket it has just closed), then answers as ClickHouse does.
let server: Server | undefined;
async function flakyEndpoint(resets: number): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((req, res) => {
    requests += 1;
    req.resume();
    if (requests <= resets) req.socket.destroy();
    else res.writeHead(200, { 'Content-Type': 'application/x-ndjson' }).end('{"x":1}\n');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('ClickHouse server executor: a connection reset under a read', () => {
  it('retries the read once and returns its rows', async () => {
    const endpoint = await flakyEndpoint(1);
    const executor = createClickHouseServerExecutor({ url: endpoint.url, requestTimeoutMs: 5_000 });
    await expect(executor.query(sql`SELECT 1 AS x`)).resolves.toEqual([{ x: 1 }]);
    expect(endpoint.requests()).toBe(2);
    await executor.close();
  });

  it('gives up after that one retry: the store is unavailable', async () => {
    const endpoint = await flakyEndpoint(2);
    const executor = createClickHouseServerExecutor({ url: endpoint.url, requestTimeoutMs: 5_000 });
    await expect(executor.query(sql`SELECT 1 AS x`)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(endpoint.requests()).toBe(2);
    await executor.close();
  });
});
