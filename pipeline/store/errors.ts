/**
 * Store errors with a retry meaning (kafkajs style): callers branch on the class, or on `retriable`.
 * - StoreUnavailableError: the store could not answer now (connection refused/reset, timeout,
 *   HTTP 5xx without a ClickHouse exception, overload codes). Retry with backoff; do not commit.
 * - StoreQueryError: ClickHouse understood the request and rejected it (bad SQL, bad data, unknown
 *   table). Retrying the same request fails the same way.
 */

/** First 200 characters of a query, for error messages (values are already escaped literals). */
export function queryHead(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

interface StoreErrorOptions {
  readonly query: string;
  readonly clickhouseCode?: number | undefined;
  readonly cause?: unknown;
}

export abstract class StoreError extends Error {
  abstract readonly code: 'STORE_UNAVAILABLE' | 'STORE_QUERY';
  abstract readonly retriable: boolean;
  /** The first 200 characters of the failed statement. */
  readonly query: string;
  /** ClickHouse exception code (e.g. 62 for a syntax error), when the server sent one. */
  readonly clickhouseCode: number | undefined;
  constructor(message: string, options: StoreErrorOptions) {
    super(`${message} [query: ${queryHead(options.query)}]`, { cause: options.cause });
    this.query = queryHead(options.query);
    this.clickhouseCode = options.clickhouseCode;
  }
}

/** Transient: the store is down, slow or overloaded. Retriable. */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'STORE_UNAVAILABLE';
  readonly retriable = true;
}

/** Permanent for this request: bad SQL or data the store rejects. Not retriable. */
export class StoreQueryError extends StoreError {
  override readonly name = 'StoreQueryError';
  readonly code = 'STORE_QUERY';
  readonly retriable = false;
}

/**
 * ClickHouse exception codes that mean "try again later", not "your request is wrong":
 * 159 TIMEOUT_EXCEEDED, 202 TOO_MANY_SIMULTANEOUS_QUERIES,
 * 203 NO_FREE_CONNECTION, 209 SOCKET_TIMEOUT, 210 NETWORK_ERROR, 236 ABORTED,
 * 241 MEMORY_LIMIT_EXCEEDED, 242 TABLE_IS_READ_ONLY, 252 TOO_MANY_PARTS,
 * 319 UNKNOWN_STATUS_OF_INSERT, 394 QUERY_WAS_CANCELLED, 425 SYSTEM_ERROR, 999 KEEPER_EXCEPTION.
 */
const TRANSIENT_CLICKHOUSE_CODES: ReadonlySet<number> = new Set([
  159, 202, 203, 209, 210, 236, 241, 242, 252, 319, 394, 425, 999,
]);

export function isTransientClickHouseCode(code: number): boolean {
  return TRANSIENT_CLICKHOUSE_CODES.has(code);
}

/**
 * Extracts the ClickHouse exception code from an error message in either generation's format:
 * 18.16 `Code: 62, e.displayText() = DB::Exception: …`, 2x.x `Code: 62. DB::Exception: … (SYNTAX_ERROR)`.
 */
export function clickHouseCodeOf(message: string): number | undefined {
  const m = /\bCode: (\d+)[.,]/.exec(message);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Wraps a ClickHouse exception (by code) into the right store error. */
export function storeErrorFromCode(code: number, message: string, query: string, cause: unknown): StoreError {
  const options = { query, clickhouseCode: code, cause };
  return isTransientClickHouseCode(code)
    ? new StoreUnavailableError(message, options)
    : new StoreQueryError(message, options);
}
