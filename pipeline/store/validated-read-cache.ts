/**
 * A cache of SELECT results that is never stale. Each use first reads the identity of the data the
 * query reads: the names of the active parts of every table it names (system.parts). MergeTree parts
 * are immutable and their names carry partition, block range, merge level and mutation version, so
 * any insert, merge, partition drop or mutation changes that set. The stored rows are served only
 * while it is unchanged; a hit costs one small system.parts read instead of the query (on ClickHouse
 * 18.16 about 1.4 ms of server CPU, against 8–12 ms for an allocation query: api/README.md, "Read cache").
 *
 * The identity is read BEFORE the query runs: rows computed from newer data than the identity they
 * are stored under only cause a miss later, never a stale hit.
 *
 * Only queries that name nothing but `tables` (MergeTree tables of `database`) are cached; anything
 * else (views, system tables, other databases) and every write goes straight to the executor.
 */
import type { SqlExecutor } from './executor.ts';
import { list, sql, SqlQuery, str } from './sql.ts';

export interface ValidatedReadCacheConfig {
  readonly database: string;
  /** MergeTree tables of `database` whose readers may be cached. */
  readonly tables: readonly string[];
  /** Most results kept (least recently used go first). */
  readonly maxEntries: number;
  /** A result with more rows is not kept. */
  readonly maxRows: number;
}

export interface ReadCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Queries that named a table outside `tables` (or another database): run uncached. */
  readonly bypassed: number;
  readonly entries: number;
}

export interface ValidatedReadCache extends SqlExecutor {
  stats(): ReadCacheStats;
}

interface Entry {
  readonly identity: string;
  readonly rows: readonly unknown[];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * For one database: the tables of it a query names, or null when the query names anything it may
 * not cache. The pattern is built once, not per query.
 */
export function cacheableTables(database: string, allowed: ReadonlySet<string>): (text: string) => string[] | null {
  const pattern = new RegExp(
    `(?:\`${escapeRegExp(database)}\`|\\b${escapeRegExp(database)})\\s*\\.\\s*\`?(\\w+)\`?`,
    'g',
  );
  return (text) => {
    if (/\bsystem\s*\./i.test(text)) return null;
    const named = new Set<string>();
    for (const m of text.matchAll(pattern)) named.add(m[1]!);
    if (named.size === 0) return null;
    for (const t of named) if (!allowed.has(t)) return null;
    return [...named].sort();
  };
}

export function createValidatedReadCache(executor: SqlExecutor, config: ValidatedReadCacheConfig): ValidatedReadCache {
  const tablesOf = cacheableTables(config.database, new Set(config.tables));
  const entries = new Map<string, Entry>();
  let [hits, misses, bypassed] = [0, 0, 0];

  const identityOf = async (tables: readonly string[]): Promise<string> => {
    const rows = await executor.query<{ table: string; parts: string }>(sql`
      SELECT table, arrayStringConcat(arraySort(groupArray(name)), ',') AS parts
      FROM system.parts
      WHERE active AND database = ${str(config.database)} AND table IN ${list(tables.map(str))}
      GROUP BY table ORDER BY table`);
    return rows.map((r) => `${r.table}:${r.parts}`).join(';');
  };

  const remember = (key: string, entry: Entry): void => {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > config.maxEntries) entries.delete(entries.keys().next().value!);
  };

  return {
    dialect: executor.dialect,
    command: (q) => executor.command(q),
    insert: (table, rows) => executor.insert(table, rows),
    ...(executor.insertNative ? { insertNative: executor.insertNative } : {}),
    close: () => executor.close(),
    async query<T>(q: SqlQuery): Promise<T[]> {
      const tables = config.maxEntries > 0 && q instanceof SqlQuery ? tablesOf(q.text) : null;
      if (tables === null) {
        bypassed++;
        return executor.query<T>(q);
      }
      const identity = await identityOf(tables);
      const cached = entries.get(q.text);
      if (cached !== undefined && cached.identity === identity) {
        hits++;
        remember(q.text, cached);
        return cached.rows.slice() as T[];
      }
      misses++;
      const rows = await executor.query<T>(q);
      if (rows.length <= config.maxRows) remember(q.text, { identity, rows: rows.slice() });
      else entries.delete(q.text);
      return rows;
    },
    stats: () => ({ hits, misses, bypassed, entries: entries.size }),
  };
}

/** The tables the API's ledger, quota and model-cost reads name (all MergeTree). */
export const API_CACHED_TABLES = [
  'cost_ledger',
  'cost_ledger_windows',
  'cost_ledger_days',
  'cost_ledger_daily',
  'pod_events',
  'tenant_quotas',
  'model_server_samples',
] as const;
