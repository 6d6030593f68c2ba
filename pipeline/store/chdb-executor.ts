import { Session } from 'chdb';
import {
  clickHouseCodeOf,
  storeErrorFromCode,
  StoreQueryError,
  StoreUnavailableError,
  type StoreError,
} from './errors.ts';
import { decodeJsonEachRow, encodeJsonEachRow, type SqlExecutor } from './executor.ts';
import { SqlQuery, SqlValueError, tableName } from './sql.ts';

export interface ChdbExecutorConfig {
  /** Directory holding the tables. chDB allows ONE data directory per process (see compat doc). */
  readonly dataDir: string;
}

/** The chDB error shape we rely on (its classes are not named ESM exports; `code` is the stable tag). */
interface ChdbErrorLike {
  readonly code?: unknown;
  readonly clickhouseCode?: unknown;
  readonly message?: unknown;
}

function toStoreError(error: unknown, query: string): StoreError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ChdbErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (e.code === 'CHDB_TIMEOUT') return new StoreUnavailableError(`chDB: ${message}`, { query, cause: error });
  const code = typeof e.clickhouseCode === 'number' ? e.clickhouseCode : clickHouseCodeOf(message);
  if (code !== undefined) return storeErrorFromCode(code, `chDB: ${message}`, query, error);
  return new StoreQueryError(`chDB: ${message}`, { query, cause: error });
}

/**
 * ClickHouse in-process (chDB 3.x, ClickHouse 26.x) behind SqlExecutor, for embedded mode and tests.
 * Never use it inside a worker thread (the process segfaults on exit). Statements run one at a time
 * (a promise chain), off the event loop (`queryAsync`).
 */
export function createChdbExecutor(config: ChdbExecutorConfig): SqlExecutor {
  // Same JSON number shape as the server executor (18.16's default): 64-bit integers as strings.
  let session: Session;
  try {
    session = new Session(config.dataDir, {
      connectionArgs: ['--output_format_json_quote_64bit_integers=1'],
    });
  } catch (error) {
    // Typically "only one active data directory per process": a configuration error, not transient.
    throw new StoreQueryError(`chDB: cannot open data directory ${config.dataDir}: ${String(error)}`, {
      query: '',
      cause: error,
    });
  }
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  function run(text: string, format: string): Promise<string> {
    if (closed) return Promise.reject(new StoreQueryError('chDB executor is closed', { query: text }));
    const next = tail.then(async () => {
      try {
        return (await session.queryAsync(text, { format })).text();
      } catch (error) {
        throw toStoreError(error, text);
      }
    });
    tail = next.catch(() => undefined);
    return next;
  }

  function textOf(query: SqlQuery): string {
    if (!(query instanceof SqlQuery)) throw new SqlValueError('executor: expects a SqlQuery built with sql``');
    return query.text;
  }

  return {
    dialect: 'chdb',
    async command(query) {
      await run(textOf(query), 'TabSeparated');
    },
    async query<T>(query: SqlQuery): Promise<T[]> {
      return decodeJsonEachRow<T>(await run(textOf(query), 'JSONEachRow'));
    },
    async insert(table, rows) {
      const target = tableName(table).toString();
      if (rows.length === 0) return;
      await run(`INSERT INTO ${target} FORMAT JSONEachRow\n${encodeJsonEachRow(rows)}`, 'TabSeparated');
    },
    async close() {
      if (closed) return;
      closed = true; // refuse new statements, let the queued ones finish
      await tail;
      session.close();
    },
  };
}
