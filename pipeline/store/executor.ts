import type { NativeBlock } from './native-block.ts';
import { sql, SqlValueError, type SqlQuery } from './sql.ts';

/** Which engine runs the SQL. The store's SQL is written to their common subset; this is for the rare switch. */
export type SqlDialect = 'clickhouse-18' | 'chdb';

/**
 * Runs SQL built with the `sql` tag against one ClickHouse engine. Two implementations: a
 * ClickHouse server over HTTP and chDB in-process; both pass test/store-conformance.ts.
 *
 * Numbers in results: 64-bit integers (UInt64, Int64, `count()`) come back as decimal STRINGS
 * (`output_format_json_quote_64bit_integers=1` is forced on both engines so that values beyond
 * 2^53 are never silently rounded); 32-bit and smaller integers and floats come back as numbers.
 * The typed functions in telemetry-store.ts convert. DateTime comes back as 'YYYY-MM-DD hh:mm:ss'
 * in the engine's timezone: select `ts_ms` or `toUInt32(ts)` instead when the instant matters.
 *
 * Errors: StoreUnavailableError (retriable) or StoreQueryError (not), see errors.ts.
 */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** Runs a statement that returns no rows (DDL, INSERT … SELECT, ALTER). */
  command(query: SqlQuery): Promise<void>;
  /** Runs a SELECT and returns its rows (JSONEachRow). The caller's `T` is not checked. */
  query<T = Record<string, unknown>>(query: SqlQuery): Promise<T[]>;
  /**
   * Inserts rows as JSONEachRow. `table` is `table` or `db.table` (validated identifiers).
   * Keys are column names; a missing key takes the column default. Non-finite numbers are
   * rejected (JSON would turn them into null); bigints are sent as decimal strings.
   * An empty `rows` is a no-op.
   */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /**
   * Present when the engine takes Native-format inserts (the ClickHouse server over HTTP; chDB takes
   * its statements as text, so it has none): the store's hot path uses it when there, the JSONEachRow
   * insert otherwise. The block names its columns (native-block.ts). An empty block is a no-op.
   */
  readonly insertNative?: (table: string, block: NativeBlock) => Promise<void>;
  /** Releases the connection or session. Idempotent. */
  close(): Promise<void>;
}

/** Checks that the engine answers a query (health checks); throws its error when not. */
export async function pingStore(executor: SqlExecutor): Promise<void> {
  await executor.query(sql`SELECT 1`);
}

/** Serialises rows as JSONEachRow lines (each ends with '\n'). */
export function encodeJsonEachRow(rows: readonly Record<string, unknown>[]): string {
  let out = '';
  for (const row of rows) {
    out += JSON.stringify(row, (key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new SqlValueError(`insert: column ${JSON.stringify(key)} is ${value}; only finite numbers can be stored`);
      }
      return value;
    });
    out += '\n';
  }
  return out;
}

/** Parses JSONEachRow output (one JSON object per line; blank lines ignored). */
export function decodeJsonEachRow<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() !== '') rows.push(JSON.parse(line) as T);
  }
  return rows;
}
