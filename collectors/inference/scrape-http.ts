/** Where and how to scrape one Prometheus `/metrics` endpoint. */
export interface ScrapeConfig {
  readonly url: string;
  /** Whole request, headers and body. */
  readonly timeoutMs: number;
  /** A body larger than this is an error, read no further (a misconfigured URL must not exhaust memory). */
  readonly maxBytes: number;
}

async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number, url: string): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw new Error(`GET ${url}: body exceeds ${maxBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * GETs the text at `config.url` with the global fetch, a timeout and a body size limit; resolves
 * with the body. Rejects with a message naming the URL and the cause (HTTP status, timeout, size,
 * connection error); `signal` (the agent's shutdown) aborts it too.
 */
export async function scrapeText(config: ScrapeConfig, signal?: AbortSignal): Promise<string> {
  const timeout = AbortSignal.timeout(config.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await fetch(config.url, {
      signal: combined,
      headers: { accept: 'text/plain;version=0.0.4, */*;q=0.1' },
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET ${config.url}: HTTP ${response.status} ${response.statusText}`.trim());
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > config.maxBytes) {
      await response.body?.cancel();
      throw new Error(`GET ${config.url}: body exceeds ${config.maxBytes} bytes (content-length ${declared})`);
    }
    return response.body ? await readLimited(response.body, config.maxBytes, config.url) : '';
  } catch (error) {
    if (timeout.aborted) throw new Error(`GET ${config.url}: timed out after ${config.timeoutMs} ms`);
    if (signal?.aborted) throw new Error(`GET ${config.url}: aborted`);
    if (error instanceof Error && error.message.startsWith(`GET ${config.url}`)) throw error;
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`GET ${config.url}: ${error instanceof Error ? error.message : String(error)}${cause}`);
  }
}
