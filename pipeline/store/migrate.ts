import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { SqlExecutor } from './executor.ts';
import { ident, sql, str, uint, type SqlQuery, type SqlValue } from './sql.ts';

/**
 * Versioned schema migrations: `migrations/NNN-name.sql`, applied in version order at start-up.
 *
 * - A file holds one statement, or several separated by a line `-- statement`.
 * - The only template variable is `{{database}}`, rendered with ident(); anything else in `{{…}}`
 *   is refused when the files are loaded.
 * - `<db>.schema_migrations` records (version, name, checksum, applied_at). Re-running applies
 *   nothing; an applied migration whose file changed (checksum) is a MigrationError: write a new
 *   migration instead of editing an old one.
 * - A migration is recorded after all its statements succeeded. If one fails midway, the next run
 *   repeats the whole file, so statements must be idempotent (`CREATE TABLE IF NOT EXISTS`, …).
 * - Two processes migrating at once both run the same idempotent statements and both record the
 *   version; the table is a ReplacingMergeTree on version, and equal checksums pass.
 * - `ALTER TABLE {{database}}.t ADD COLUMN c …` (one column per statement) is skipped when the column
 *   exists: 18.16 has no `ADD COLUMN IF NOT EXISTS`, and the rules above need it idempotent.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** sha256 (hex) of the file's text, before templating: independent of the database name. */
  readonly checksum: string;
  /** Statement templates, `{{database}}` still in them. */
  readonly statements: readonly string[];
}

export interface MigrationResult {
  /** Versions applied by this run, ascending. */
  readonly applied: readonly number[];
  /** Versions that were already recorded (and whose checksums matched). */
  readonly alreadyApplied: readonly number[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code = 'STORE_MIGRATION';
}

export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

const FILE_NAME = /^(\d{3})-([a-z0-9][a-z0-9-]*)\.sql$/;
const STATEMENT_MARKER = /^--\s*statement\s*$/m;
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Splits a migration file into statements; refuses unknown placeholders and empty files. */
export function parseMigration(fileName: string, text: string): Migration {
  const m = FILE_NAME.exec(fileName);
  if (!m?.[1] || !m[2]) throw new MigrationError(`migration file ${fileName}: name must be NNN-name.sql`);
  for (const [, name] of text.matchAll(PLACEHOLDER)) {
    if (name !== 'database') throw new MigrationError(`migration ${fileName}: unknown placeholder {{${name}}}`);
  }
  const statements = text
    .split(STATEMENT_MARKER)
    .map((s) => s.trim().replace(/;\s*$/, ''))
    // A chunk of only comments is not a statement (the engine would reject an empty query).
    .filter((s) => s.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
  if (statements.length === 0) throw new MigrationError(`migration ${fileName}: no statement`);
  return {
    version: Number(m[1]),
    name: m[2],
    checksum: createHash('sha256').update(text).digest('hex'),
    statements,
  };
}

/** Reads every `NNN-name.sql` in `dir`, sorted by version; duplicate versions are an error. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations = await Promise.all(
    files.map(async (f) => parseMigration(f, await readFile(new URL(f, dir), 'utf8'))),
  );
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((mig, i) => {
    if (i > 0 && migrations[i - 1]?.version === mig.version) {
      throw new MigrationError(`two migrations have version ${mig.version}`);
    }
  });
  return migrations;
}

/** Renders a statement template: every `{{database}}` becomes the backquoted database identifier. */
export function renderStatement(template: string, database: SqlValue): SqlQuery {
  const parts = template.split(/\{\{\s*database\s*\}\}/);
  const strings = Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
  return sql(strings, ...parts.slice(1).map(() => database));
}

const ADD_COLUMN = /^\s*ALTER TABLE \{\{database\}\}\.(\w+)\s+ADD COLUMN\s+(\w+)\s/m;

async function columnExists(executor: SqlExecutor, database: string, table: string, column: string): Promise<boolean> {
  const rows = await executor.query<{ n: number | string }>(
    sql`SELECT count() AS n FROM system.columns WHERE database = ${str(database)} AND table = ${str(table)} AND name = ${str(column)}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

interface AppliedRow {
  readonly version: number | string;
  readonly name: string;
  readonly checksum: string;
}

export interface MigrateOptions {
  readonly database: string;
  /** Default: the files in MIGRATIONS_DIR. */
  readonly migrations?: readonly Migration[];
}

/** Creates the database if needed and applies the migrations not yet recorded there. */
export async function migrate(executor: SqlExecutor, options: MigrateOptions): Promise<MigrationResult> {
  const db = ident(options.database);
  const migrations = options.migrations ?? (await loadMigrations());
  await executor.command(sql`CREATE DATABASE IF NOT EXISTS ${db}`);
  await executor.command(sql`
    CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime('UTC'))
    ENGINE = ReplacingMergeTree() ORDER BY version`);
  const rows = await executor.query<AppliedRow>(sql`SELECT version, name, checksum FROM ${db}.schema_migrations`);
  const recorded = new Map<number, AppliedRow[]>();
  for (const row of rows) {
    const v = Number(row.version);
    recorded.set(v, [...(recorded.get(v) ?? []), row]);
  }
  // Check every recorded checksum before changing anything.
  for (const mig of migrations) {
    for (const row of recorded.get(mig.version) ?? []) {
      if (row.checksum !== mig.checksum) {
        throw new MigrationError(
          `migration ${mig.version}-${mig.name} was applied to ${options.database} with checksum ${row.checksum}, ` +
            `but the file now has ${mig.checksum}: applied migrations must not change; add a new migration`,
        );
      }
    }
  }
  const applied: number[] = [];
  const alreadyApplied: number[] = [];
  for (const mig of migrations) {
    if (recorded.has(mig.version)) {
      alreadyApplied.push(mig.version);
      continue;
    }
    for (const statement of mig.statements) {
      const added = ADD_COLUMN.exec(statement);
      if (added && (await columnExists(executor, options.database, added[1]!, added[2]!))) continue;
      await executor.command(renderStatement(statement, db));
    }
    await executor.command(sql`
      INSERT INTO ${db}.schema_migrations (version, name, checksum, applied_at)
      VALUES (${uint(mig.version)}, ${str(mig.name)}, ${str(mig.checksum)}, now())`);
    applied.push(mig.version);
  }
  return { applied, alreadyApplied };
}
