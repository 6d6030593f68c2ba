import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import {
  clickHouseCodeOf,
  storeErrorFromCode,
  StoreQueryError,
  StoreUnavailableError,
  type StoreError,
} from './errors.ts';
import { encodeJsonEachRow, type SqlExecutor } from './executor.ts';
import { SqlQuery, SqlValueError, tableName } from './sql.ts';

export interface ClickHouseServerExecutorConfig {
  /** HTTP endpoint, e.g. http://127.0.0.1:18123 (credentials may be in the URL). */
  readonly url: string;
  /** Default database for unqualified names; the store always qualifies. Default: `default`. */
  readonly database?: string;
  /** Per-request timeout; a request past it fails with StoreUnavailableError. */
  readonly requestTimeoutMs: number;
}

interface ErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
}

/**
 * Classifies a @clickhouse/client failure. The client drops the HTTP status, so we go by content:
 * - a ClickHouse exception code (modern servers: ClickHouseError.code '62'; 18.16: the client cannot
 *   parse its `Code: 62, e.displayText() = …` format and throws a plain Error with that text) →
 *   transient codes are unavailable, every other code is a query error;
 * - anything without a ClickHouse code (ECONNREFUSED/ECONNRESET, 'Timeout error.', a proxy's 502
 *   page) never reached ClickHouse's parser → unavailable, retriable.
 */
function toStoreError(error: unknown, query: string): StoreError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' && /^\d+$/.test(e.code) ? Number(e.code) : clickHouseCodeOf(message);
  if (code !== undefined) return storeErrorFromCode(code, `ClickHouse: ${message}`, query, error);
  return new StoreUnavailableError(`ClickHouse unavailable: ${message}`, { query, cause: error });
}

/** The server closed the connection before answering (a reused keep-alive socket it had just dropped). */
function isConnectionReset(error: unknown): boolean {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  return (
    e.code === 'ECONNRESET' ||
    e.code === 'EPIPE' ||
    (typeof e.message === 'string' && e.message.includes('socket hang up'))
  );
}

function textOf(query: SqlQuery): string {
  if (!(query instanceof SqlQuery)) throw new SqlValueError('executor: expects a SqlQuery built with sql``');
  return query.text;
}

/**
 * A ClickHouse server over HTTP (@clickhouse/client), written to what 18.16 supports:
 * results as JSONEachRow (18.16 has no JSONCompactEachRow), inserts as inline JSONEachRow after
 * `INSERT … FORMAT JSONEachRow` (the same statement text the chDB executor runs).
 */
export function createClickHouseServerExecutor(config: ClickHouseServerExecutorConfig): SqlExecutor {
  const client = createClient({
    url: config.url,
    database: config.database ?? 'default',
    request_timeout: config.requestTimeoutMs,
    // 18.16's default, forced so that a modern server answers in the same shape: Int64/UInt64 as strings.
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    // Failures reach the caller as StoreErrors; the client's own console logging would duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
    // The server closes an idle connection after keep_alive_timeout (3 s on 18.16). A socket reused just
    // then fails with ECONNRESET; on a loaded machine the client's 2.5 s idle timer fires late (seen in
    // CI as 503s from the API). Sockets idle for 1.5 s are dropped, checked on use too.
    keep_alive: { enabled: true, idle_socket_ttl: 1500, eagerly_destroy_stale_sockets: true },
  });
  let closed = false;

  async function guarded<T>(text: string, op: () => Promise<T>): Promise<T> {
    if (closed) throw new StoreQueryError('ClickHouse executor is closed', { query: text });
    try {
      return await op();
    } catch (error) {
      throw toStoreError(error, text);
    }
  }

  /**
   * An INSERT whose data travels as the request body (the statement goes in the URL): no copy of a
   * large body into the statement text. The response is drained so that the socket is reused.
   */
  async function send(statement: string, body: Buffer): Promise<void> {
    await guarded(statement, async () => {
      const result = await client.exec({ query: statement, values: Readable.from([body]) });
      for await (const chunk of result.stream) void chunk;
    });
  }

  return {
    dialect: 'clickhouse-18',
    async command(query) {
      const text = textOf(query);
      await guarded(text, () => client.command({ query: text }));
    },
    async query<T>(query: SqlQuery): Promise<T[]> {
      const text = textOf(query);
      const read = async () => {
        const result = await client.query({ query: text, format: 'JSONEachRow' });
        return result.json<T>();
      };
      // A read is idempotent: one retry when the server closed a reused connection under us.
      return guarded(text, async () => {
        try {
          return await read();
        } catch (error) {
          if (!isConnectionReset(error)) throw error;
          return read();
        }
      });
    },
    async insert(table, rows) {
      const target = tableName(table).toString();
      if (rows.length === 0) return;
      await send(`INSERT INTO ${target} FORMAT JSONEachRow`, Buffer.from(encodeJsonEachRow(rows), 'utf8'));
    },
    async insertNative(table, block) {
      const target = tableName(table).toString();
      if (block.rows === 0) return;
      await send(`INSERT INTO ${target} FORMAT Native`, block.data);
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
