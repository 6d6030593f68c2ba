import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the test server answers to one request. */
export interface TextReply {
  readonly status?: number;
  readonly body: string;
  /** Wait this long before answering (timeout tests). */
  readonly delayMs?: number;
}

/**
 * A real HTTP server on a free loopback port that answers every GET with `reply()` (called per
 * request, so a test can change what the next scrape sees). For collector tests: no fetch mocks.
 */
export async function serveText(
  reply: () => TextReply,
): Promise<{ readonly url: string; readonly requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    const { status = 200, body, delayMs = 0 } = reply();
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(body);
    }, delayMs).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
