import { afterEach, describe, expect, it } from 'vitest';
import { scrapeText } from './scrape-http.ts';
import { serveText, type TextReply } from '../../test/kits/serve-text.ts';

let server: Awaited<ReturnType<typeof serveText>> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
const serve = async (reply: TextReply) => (server = await serveText(() => reply)).url;

describe('scrapeText over real HTTP', () => {
  it('returns the body', async () => {
    const url = await serve({ body: 'tgi_queue_size 0.0\n' });
    await expect(scrapeText({ url, timeoutMs: 5000, maxBytes: 1024 })).resolves.toBe('tgi_queue_size 0.0\n');
  });

  it('names the URL and the cause: HTTP status, size limit, timeout, refused connection', async () => {
    const url = await serve({ status: 503, body: 'busy' });
    await expect(scrapeText({ url, timeoutMs: 5000, maxBytes: 1024 })).rejects.toThrow(
      `GET ${url}: HTTP 503 Service Unavailable`,
    );
    await server?.close();
    const big = await serve({ body: 'x'.repeat(5000) });
    await expect(scrapeText({ url: big, timeoutMs: 5000, maxBytes: 4096 })).rejects.toThrow(
      `GET ${big}: body exceeds 4096 bytes`,
    );
    await server?.close();
    const slow = await serve({ body: 'late', delayMs: 2000 });
    await expect(scrapeText({ url: slow, timeoutMs: 100, maxBytes: 1024 })).rejects.toThrow(
      `GET ${slow}: timed out after 100 ms`,
    );
    await server?.close();
    server = null;
    await expect(scrapeText({ url: slow, timeoutMs: 2000, maxBytes: 1024 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('the caller signal aborts the request', async () => {
    const url = await serve({ body: 'late', delayMs: 2000 });
    const abort = new AbortController();
    const pending = scrapeText({ url, timeoutMs: 5000, maxBytes: 1024 }, abort.signal);
    abort.abort();
    await expect(pending).rejects.toThrow(`GET ${url}: aborted`);
  });
});
