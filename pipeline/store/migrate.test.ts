import { describe, expect, it } from 'vitest';
import { loadMigrations, MigrationError, parseMigration, renderStatement } from './migrate.ts';
import { ident } from './sql.ts';

describe('parseMigration', () => {
  it('splits on `-- statement` lines, drops comment-only chunks and trailing semicolons', () => {
    const m = parseMigration(
      '007-add-things.sql',
      '-- header comment only\n-- statement\nCREATE TABLE {{database}}.a (x UInt8) ENGINE = Memory;\n-- statement\n\nCREATE TABLE {{ database }}.b (x UInt8) ENGINE = Memory\n',
    );
    expect(m.version).toBe(7);
    expect(m.name).toBe('add-things');
    expect(m.statements).toEqual([
      'CREATE TABLE {{database}}.a (x UInt8) ENGINE = Memory',
      'CREATE TABLE {{ database }}.b (x UInt8) ENGINE = Memory',
    ]);
    expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses unknown placeholders, bad file names and empty files', () => {
    expect(() => parseMigration('001-x.sql', 'SELECT {{table}}')).toThrow(MigrationError);
    expect(() => parseMigration('1-x.sql', 'SELECT 1')).toThrow(MigrationError);
    expect(() => parseMigration('001_x.sql', 'SELECT 1')).toThrow(MigrationError);
    expect(() => parseMigration('001-x.sql', '-- nothing here\n')).toThrow(MigrationError);
  });
});

describe('renderStatement', () => {
  it('renders every {{database}} as a backquoted identifier and nothing else', () => {
    const q = renderStatement("CREATE TABLE {{database}}.t AS {{ database }}.u -- '{x}'", ident('db_1'));
    expect(q.text).toBe("CREATE TABLE `db_1`.t AS `db_1`.u -- '{x}'");
  });
});

describe('loadMigrations', () => {
  it('loads the shipped migrations in version order with distinct checksums', async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((m) => `${m.version}-${m.name}`).slice(0, 5)).toEqual([
      '1-gpu-samples',
      '2-gpu-processes',
      '3-ingest-batches',
      '4-pod-events',
      '5-model-server-samples',
    ]);
    expect(new Set(migrations.map((m) => m.checksum)).size).toBe(migrations.length);
    for (const m of migrations) {
      for (const s of m.statements) {
        // 18.16 compatibility guard: none of the features it lacks (see the compat doc).
        const code = s.replace(/--.*$/gm, '');
        expect(code).not.toMatch(/\b(TTL|DateTime64|LowCardinality|Map|CODEC)\b/);
        expect(renderStatement(s, ident('x')).text).not.toContain('{{');
      }
    }
  });
});
