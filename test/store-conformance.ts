/**
 * The telemetry store's conformance suite: every SqlExecutor (ClickHouse 18.16 server, chDB 26.x)
 * passes the same tests. Each test works in its own database `t_<random>`, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreQueryError } from '../pipeline/store/errors.ts';
import type { SqlExecutor } from '../pipeline/store/executor.ts';
import { loadMigrations, migrate, MigrationError, parseMigration } from '../pipeline/store/migrate.ts';
import { SAMPLE_COUNTER_KEYS, SAMPLE_COUNTERS } from '../contracts/index.ts';
import type {
  GpuSampleCounterColumns,
  GpuSampleRow,
  ModelServerSampleRow,
  PodEventRow,
} from '../pipeline/store/rows.ts';
import { float, ident, int, sql, SqlValueError, str, uint, type SqlQuery } from '../pipeline/store/sql.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { createValidatedReadCache } from '../pipeline/store/validated-read-cache.ts';
import { describeStoreJobsConformance } from './store-conformance-jobs.ts';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0); // 2024-05-01T12:00:00Z

/** Every optional counter column null (the source read none). */
export const NO_COUNTERS = Object.fromEntries(
  SAMPLE_COUNTER_KEYS.map((k) => [SAMPLE_COUNTERS[k].column, null]),
) as GpuSampleCounterColumns;

export function sampleRow(overrides: Partial<GpuSampleRow> = {}): GpuSampleRow {
  return {
    ...NO_COUNTERS,
    ts_ms: T0,
    cluster: 'c1',
    node: 'n1',
    agent_id: 'agent-1',
    boot_id: 'boot-1',
    seq: 1,
    source: 'nvidia-smi',
    kind: 'gpu',
    gpu_uuid: 'GPU-aaaa',
    parent_gpu_uuid: '',
    gpu_index: 0,
    model: 'NVIDIA H100 80GB HBM3',
    driver_version: '550.54.15',
    utilization_pct: 50,
    memory_used_bytes: 1_000,
    memory_total_bytes: 85_899_345_920,
    power_watts: 300.5,
    power_limit_watts: 700,
    temperature_c: 60,
    sm_clock_mhz: 1980,
    mem_clock_mhz: 2619,
    throttle_reasons: [],
    ecc_corrected_total: 0,
    ecc_uncorrected_total: 0,
    mig_gi_id: null,
    mig_ci_id: null,
    mig_profile: '',
    ingested_at_ms: T0 + 5_000,
    ...overrides,
  };
}

/** Classic injection payloads; each must come back byte-for-byte and harm nothing. */
export const INJECTION_PAYLOADS: readonly string[] = [
  "'; DROP TABLE x; --",
  "\\'",
  '\\',
  '\\\\',
  "'",
  "''",
  '`',
  '`; DROP DATABASE default; --`',
  "') OR 1=1 --",
  "' OR '1'='1",
  '\0',
  'a\0b',
  '\u00001', // NUL followed by a digit: must not read as an octal escape
  '\n',
  '\r\n',
  '\t\b\f\v\x1b\x7f',
  '\x01\x02\x1f',
  '/* comment */',
  '*/',
  '-- comment',
  '\\x41',
  '\\N',
  'Grüße, 你好, مرحبا, שלום',
  '😀🎉👩‍👩‍👧‍👦',
  '\u2028\u2029\uFEFF',
  '{name:String}',
  '{database}',
  '{{database}}',
  '$1',
  '?',
  '%s',
  'FORMAT JSONEachRow',
  "x' FORMAT TabSeparated --",
  'a'.repeat(100_000),
  "'".repeat(10_000),
  '\\'.repeat(10_001),
];

const NASTY_CHARS = [
  "'",
  '\\',
  '`',
  '"',
  '\0',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '\x1b',
  '\x7f',
  ';',
  '-',
  '/',
  '*',
  '{',
  '}',
  '$',
  '?',
  ':',
  '\u2028',
  'é',
  '😀',
  '\uFEFF',
  'x',
  '0',
];

/** Strings biased towards characters that matter to SQL lexers, plus arbitrary Unicode. */
export const payloadArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...NASTY_CHARS), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.constantFrom(...INJECTION_PAYLOADS),
);

function uniqueDatabase(): string {
  return `t_${randomBytes(8).toString('hex')}`;
}

export function describeStoreConformance(name: string, makeExecutor: () => Promise<SqlExecutor>): void {
  describe(`store conformance: ${name}`, () => {
    let executor: SqlExecutor;
    const databases: string[] = [];

    beforeAll(async () => {
      executor = await makeExecutor();
    });

    afterAll(async () => {
      for (const db of databases) await executor.command(sql`DROP DATABASE IF EXISTS ${ident(db)}`);
      await executor.close();
    });

    /** A migrated store in a fresh database. Never close it: the executor is shared by the suite. */
    async function freshStore(): Promise<{ store: TelemetryStore; database: string }> {
      const database = uniqueDatabase();
      databases.push(database);
      const store = createTelemetryStore(executor, { database });
      await store.migrate();
      return { store, database };
    }

    async function one<T>(query: SqlQuery): Promise<T> {
      const rows = await executor.query<T>(query);
      expect(rows).toHaveLength(1);
      return rows[0] as T;
    }

    it('applies the migrations on an empty database, and re-running is a no-op', async () => {
      const database = uniqueDatabase();
      databases.push(database);
      const store = createTelemetryStore(executor, { database });
      const all = (await loadMigrations()).map((m) => m.version);
      expect(all.length).toBeGreaterThanOrEqual(5);

      const first = await store.migrate();
      expect(first).toEqual({ applied: all, alreadyApplied: [] });
      const tables = await executor.query<{ name: string }>(
        sql`SELECT name FROM system.tables WHERE database = ${str(database)} ORDER BY name`,
      );
      expect(tables.map((t) => t.name)).toEqual(Object.values(StoreTable).sort());

      const second = await store.migrate();
      expect(second).toEqual({ applied: [], alreadyApplied: all });
      expect(await store.countRows(StoreTable.schemaMigrations)).toBe(all.length);
    });

    it('refuses an applied migration whose file changed', async () => {
      const { database } = await freshStore();
      const [firstMigration] = await loadMigrations();
      if (!firstMigration) throw new Error('no migrations');
      const edited = parseMigration(
        `${String(firstMigration.version).padStart(3, '0')}-${firstMigration.name}.sql`,
        `${firstMigration.statements.join('\n-- statement\n')}\n-- edited after release\n`,
      );
      await expect(migrate(executor, { database, migrations: [edited] })).rejects.toBeInstanceOf(MigrationError);
    });

    it('adds the counter columns to a database of an older version, skipping one already there (no ADD COLUMN IF NOT EXISTS on 18.16)', async () => {
      const database = uniqueDatabase();
      databases.push(database);
      const all = await loadMigrations();
      await migrate(executor, { database, migrations: all.filter((m) => m.version < 80) });
      // A half-applied 080 (one column added, the process stopped before recording it).
      await executor.command(sql`ALTER TABLE ${ident(database)}.gpu_samples ADD COLUMN energy_mj Nullable(Float64)`);
      const result = await migrate(executor, { database, migrations: all });
      expect(result.applied).toContain(80);
      const columns = await executor.query<{ name: string }>(
        sql`SELECT name FROM system.columns WHERE database = ${str(database)} AND table = 'gpu_samples'`,
      );
      const names = new Set(columns.map((c) => c.name));
      for (const k of SAMPLE_COUNTER_KEYS) expect(names.has(SAMPLE_COUNTERS[k].column), k).toBe(true);
    });

    it('inserts samples and computes exact per-GPU utilization in the window', async () => {
      const { store } = await freshStore();
      await store.insertGpuSamples([
        sampleRow({ seq: 1, ts_ms: T0, utilization_pct: 10, memory_used_bytes: 1_000 }),
        sampleRow({ seq: 2, ts_ms: T0 + 1_000, utilization_pct: 20, memory_used_bytes: 3_000 }),
        sampleRow({ seq: 3, ts_ms: T0 + 2_000, utilization_pct: 60, memory_used_bytes: 5_000 }),
        sampleRow({ seq: 4, ts_ms: T0 + 3_000, utilization_pct: null, memory_used_bytes: null }),
        sampleRow({ seq: 1, gpu_uuid: 'GPU-bbbb', gpu_index: 1, utilization_pct: 100, memory_used_bytes: 2 ** 40 }),
        // outside the window, another node, another cluster
        sampleRow({ seq: 9, ts_ms: T0 + 60_000, utilization_pct: 99 }),
        sampleRow({ seq: 1, node: 'n2', agent_id: 'agent-2', utilization_pct: 1 }),
        sampleRow({ seq: 1, cluster: 'c2', agent_id: 'agent-3', utilization_pct: 2 }),
      ]);
      const rows = await store.gpuUtilization({ fromMs: T0, toMs: T0 + 60_000, cluster: 'c1', node: 'n1' });
      expect(rows).toEqual([
        {
          cluster: 'c1',
          node: 'n1',
          gpuUuid: 'GPU-aaaa',
          model: 'NVIDIA H100 80GB HBM3',
          samples: 4,
          avgUtilizationPct: 30,
          maxUtilizationPct: 60,
          avgMemoryUsedBytes: 3_000,
        },
        {
          cluster: 'c1',
          node: 'n1',
          gpuUuid: 'GPU-bbbb',
          model: 'NVIDIA H100 80GB HBM3',
          samples: 1,
          avgUtilizationPct: 100,
          maxUtilizationPct: 100,
          avgMemoryUsedBytes: 2 ** 40,
        },
      ]);
      const everywhere = await store.gpuUtilization({ fromMs: T0, toMs: T0 + 60_001 });
      expect(everywhere.map((r) => [r.cluster, r.node, r.gpuUuid, r.samples])).toEqual([
        ['c1', 'n1', 'GPU-aaaa', 5],
        ['c1', 'n1', 'GPU-bbbb', 1],
        ['c1', 'n2', 'GPU-aaaa', 1],
        ['c2', 'n1', 'GPU-aaaa', 1],
      ]);
      const allNull = await store.gpuUtilization({ fromMs: T0 + 3_000, toMs: T0 + 4_000 });
      expect(allNull).toEqual([
        expect.objectContaining({
          samples: 1,
          avgUtilizationPct: null,
          maxUtilizationPct: null,
          avgMemoryUsedBytes: null,
        }),
      ]);
      expect(await store.gpuUtilization({ fromMs: T0 + 10_000, toMs: T0 + 20_000 })).toEqual([]);
    });

    it('collapses a replayed batch: counts and averages unchanged', async () => {
      const { store, database } = await freshStore();
      const samples = [
        sampleRow({ seq: 7, ts_ms: T0, utilization_pct: 10 }),
        sampleRow({ seq: 7, ts_ms: T0, gpu_uuid: 'GPU-bbbb', gpu_index: 1, utilization_pct: 40 }),
        sampleRow({ seq: 8, ts_ms: T0 + 1_000, utilization_pct: 30 }),
      ];
      const processes = [
        {
          ts_ms: T0,
          cluster: 'c1',
          node: 'n1',
          agent_id: 'agent-1',
          boot_id: 'boot-1',
          seq: 7,
          gpu_uuid: 'GPU-aaaa',
          pid: 4242,
          process_name: 'python',
          used_memory_bytes: 1_000_000,
          pod_uid: 'pod-1',
          container_id: 'ctr-1',
          mig_gi_id: null,
          mig_ci_id: null,
        },
      ];
      const batches = [
        {
          agent_id: 'agent-1',
          boot_id: 'boot-1',
          seq: 7,
          cluster: 'c1',
          node: 'n1',
          topic: 'telemetry.gpu-samples.v1',
          partition: 3,
          offset: '9007199254740993',
          sample_count: 2,
          collected_at_ms: T0,
          ingested_at_ms: T0 + 1_000,
        },
      ];
      const insertAll = async (ingestedAtMs: number): Promise<void> => {
        await store.insertGpuSamples(samples.map((s) => ({ ...s, ingested_at_ms: ingestedAtMs })));
        await store.insertGpuProcesses(processes);
        await store.insertIngestBatches(batches.map((b) => ({ ...b, ingested_at_ms: ingestedAtMs })));
        await store.insertPodEvents([podEvent()]);
        await store.insertModelServerSamples([modelServerSample()]);
      };
      await insertAll(T0 + 5_000);
      const counts = async (): Promise<number[]> =>
        Promise.all(
          [
            StoreTable.gpuSamples,
            StoreTable.gpuProcesses,
            StoreTable.ingestBatches,
            StoreTable.podEvents,
            StoreTable.modelServerSamples,
          ].map((t) => store.countRows(t)),
        );
      expect(await counts()).toEqual([3, 1, 1, 1, 1]);
      const before = await store.gpuUtilization({ fromMs: T0, toMs: T0 + 10_000 });

      await insertAll(T0 + 9_000); // the replay, ingested later: a second, unmerged part
      expect(await counts()).toEqual([3, 1, 1, 1, 1]);
      expect(await store.gpuUtilization({ fromMs: T0, toMs: T0 + 10_000 })).toEqual(before);
      expect(before.map((r) => [r.gpuUuid, r.samples, r.avgUtilizationPct])).toEqual([
        ['GPU-aaaa', 2, 20],
        ['GPU-bbbb', 1, 40],
      ]);
      const offset = await one<{ o: string }>(
        sql`SELECT toString(\`offset\`) AS o FROM ${ident(database)}.ingest_batches FINAL`,
      );
      expect(offset.o).toBe('9007199254740993');
    });

    it('round-trips Nullable columns as null and as values', async () => {
      const { store, database } = await freshStore();
      const db = ident(database);
      await store.insertGpuSamples([
        sampleRow({
          seq: 1,
          utilization_pct: null,
          memory_used_bytes: null,
          memory_total_bytes: null,
          power_watts: null,
          power_limit_watts: null,
          temperature_c: null,
          sm_clock_mhz: null,
          mem_clock_mhz: null,
          ecc_corrected_total: null,
          ecc_uncorrected_total: null,
          mig_gi_id: null,
          mig_ci_id: null,
        }),
        sampleRow({
          seq: 2,
          kind: 'mig',
          gpu_uuid: 'MIG-1111',
          parent_gpu_uuid: 'GPU-aaaa',
          mig_gi_id: 0,
          mig_ci_id: 7,
          mig_profile: '1g.10gb',
          utilization_pct: 0,
          memory_used_bytes: 0,
          ecc_uncorrected_total: 2 ** 53 - 1,
          power_watts: 0.1,
          throttle_reasons: ['sw_power_cap', 'it\'s "hot"'],
        }),
      ]);
      const rows = await executor.query<Record<string, unknown>>(sql`
        SELECT seq, utilization_pct, memory_used_bytes, memory_total_bytes, power_watts, power_limit_watts,
               temperature_c, sm_clock_mhz, mem_clock_mhz, ecc_corrected_total, ecc_uncorrected_total,
               mig_gi_id, mig_ci_id, mig_profile, throttle_reasons, toUInt32(ts) AS ts_s, toString(date) AS day,
               toUInt32(ingested_at) AS ingested_s
        FROM ${db}.gpu_samples ORDER BY seq`);
      expect(rows).toEqual([
        {
          seq: '1',
          utilization_pct: null,
          memory_used_bytes: null,
          memory_total_bytes: null,
          power_watts: null,
          power_limit_watts: null,
          temperature_c: null,
          sm_clock_mhz: null,
          mem_clock_mhz: null,
          ecc_corrected_total: null,
          ecc_uncorrected_total: null,
          mig_gi_id: null,
          mig_ci_id: null,
          mig_profile: '',
          throttle_reasons: [],
          ts_s: T0 / 1000,
          day: '2024-05-01',
          ingested_s: T0 / 1000 + 5,
        },
        expect.objectContaining({
          seq: '2',
          utilization_pct: 0,
          memory_used_bytes: '0',
          ecc_uncorrected_total: String(2 ** 53 - 1),
          mig_gi_id: 0,
          mig_ci_id: 7,
          mig_profile: '1g.10gb',
          power_watts: 0.1,
          throttle_reasons: ['sw_power_cap', 'it\'s "hot"'],
        }),
      ]);

      await store.insertPodEvents([
        podEvent({ node: null, gpu_request_memory_bytes: null }),
        podEvent({ event: 'started', gpu_request_memory_bytes: 5_000 }),
      ]);
      const pods = await executor.query<Record<string, unknown>>(sql`
        SELECT event, node, gpu_request_memory_bytes, label_keys, label_values, gpu_uuids
        FROM ${db}.pod_events ORDER BY at_ms, event`);
      expect(pods).toEqual([
        {
          event: 'scheduled',
          node: null,
          gpu_request_memory_bytes: null,
          label_keys: ['team', 'tenant'],
          label_values: ['ml', 'acme'],
          gpu_uuids: ['GPU-aaaa'],
        },
        {
          event: 'started',
          node: 'n1',
          gpu_request_memory_bytes: '5000',
          label_keys: ['team', 'tenant'],
          label_values: ['ml', 'acme'],
          gpu_uuids: ['GPU-aaaa'],
        },
      ]);

      await store.insertModelServerSamples([
        modelServerSample({ queue_depth: null, kv_cache_usage_pct: null, pod_uid: '' }),
      ]);
      const served = await one<Record<string, unknown>>(
        sql`SELECT queue_depth, kv_cache_usage_pct, pod_uid FROM ${db}.model_server_samples`,
      );
      expect(served).toEqual({ queue_depth: null, kv_cache_usage_pct: null, pod_uid: '' });
    });

    it('renders every string payload exactly, and a payload in WHERE harms nothing (fuzz)', async () => {
      const { database } = await freshStore();
      const table = ident(database);
      await executor.command(sql`CREATE TABLE ${table}.fuzz (id UInt32, s String) ENGINE = MergeTree() ORDER BY id`);
      await executor.command(sql`INSERT INTO ${table}.fuzz (id, s) VALUES (${uint(0)}, ${str('sentinel')})`);
      let nextId = 1;
      const check = async (p: string): Promise<void> => {
        const echoed = await one<{ v: string }>(sql`SELECT ${str(p)} AS v`);
        expect(echoed.v).toBe(p);
        const id = nextId;
        nextId += 2;
        await executor.command(sql`INSERT INTO ${table}.fuzz (id, s) SELECT ${uint(id)}, ${str(p)}`);
        // "inserting via a query WHERE clause": copies exactly the row that holds the payload
        await executor.command(sql`
          INSERT INTO ${table}.fuzz (id, s)
          SELECT id + 1, s FROM ${table}.fuzz WHERE s = ${str(p)} AND id = ${uint(id)}`);
        const copies = await one<{ n: string; same: string }>(sql`
          SELECT count() AS n, countIf(s = ${str(p)}) AS same FROM ${table}.fuzz WHERE id IN (${uint(id)}, ${uint(id + 1)})`);
        expect(copies).toEqual({ n: '2', same: '2' });
      };
      for (const p of INJECTION_PAYLOADS) await check(p);
      await fc.assert(fc.asyncProperty(payloadArbitrary, check), { numRuns: 300 });

      const totals = await one<{ n: string; sentinel: string }>(
        sql`SELECT count() AS n, countIf(id = ${uint(0)} AND s = ${str('sentinel')}) AS sentinel FROM ${table}.fuzz`,
      );
      expect(totals).toEqual({ n: String(nextId), sentinel: '1' });
      const tables = await executor.query<{ name: string }>(
        sql`SELECT name FROM system.tables WHERE database = ${str(database)}`,
      );
      expect(tables.map((t) => t.name)).toContain('fuzz');
    });

    it('renders numbers exactly: float, int, uint at the edges (fuzz)', async () => {
      const edges = [
        0,
        -0,
        0.1,
        -1.5e-7,
        1e21,
        Number.MAX_VALUE,
        Number.MIN_VALUE,
        -Number.MIN_VALUE,
        2.2250738585072014e-308,
        2.225073858507201e-308,
        33.333333333333336,
      ];
      const checkFloat = async (x: number): Promise<void> => {
        const { v } = await one<{ v: number }>(sql`SELECT ${float(x)} AS v`);
        expect(v).toBe(x);
      };
      for (const x of edges) await checkFloat(x);
      await fc.assert(fc.asyncProperty(fc.double({ noNaN: true, noDefaultInfinity: true }), checkFloat), {
        numRuns: 100,
      });

      const checkInt = async (n: bigint): Promise<void> => {
        const { v } = await one<{ v: number | string }>(sql`SELECT toString(${int(n)}) AS v, 1 -${int(n)} AS w`);
        expect(v).toBe(n.toString());
      };
      for (const n of [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]) await checkInt(n);
      await fc.assert(fc.asyncProperty(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), checkInt), { numRuns: 100 });
      const { u } = await one<{ u: string }>(sql`SELECT toString(${uint('18446744073709551615')}) AS u`);
      expect(u).toBe('18446744073709551615');
    });

    it('validated read cache: hits while the table is unchanged, fresh rows after an insert, a merge or a drop', async () => {
      const { database } = await freshStore();
      const db = ident(database);
      await executor.command(
        sql`CREATE TABLE ${db}.cached (k String, v UInt64) ENGINE = MergeTree PARTITION BY k ORDER BY k`,
      );
      const cache = createValidatedReadCache(executor, { database, tables: ['cached'], maxEntries: 4, maxRows: 2 });
      const read = () => cache.query(sql`SELECT k, sum(v) AS total FROM ${db}.cached GROUP BY k ORDER BY k`);
      const stats = () => {
        const { hits, misses, bypassed } = cache.stats();
        return [hits, misses, bypassed];
      };
      await executor.insert(`${database}.cached`, [{ k: 'a', v: 1 }]);
      expect(await read()).toEqual([{ k: 'a', total: '1' }]);
      expect(await read()).toEqual([{ k: 'a', total: '1' }]);
      expect(stats()).toEqual([1, 1, 0]);
      await executor.insert(`${database}.cached`, [{ k: 'a', v: 2 }]); // a new part
      expect(await read()).toEqual([{ k: 'a', total: '3' }]);
      await executor.command(sql`OPTIMIZE TABLE ${db}.cached FINAL`); // the two parts merged into one
      expect(await read()).toEqual([{ k: 'a', total: '3' }]);
      expect(stats()).toEqual([1, 3, 0]);
      await executor.insert(`${database}.cached`, [{ k: 'b', v: 5 }]);
      expect(await read()).toEqual([
        { k: 'a', total: '3' },
        { k: 'b', total: '5' },
      ]);
      await executor.command(sql`ALTER TABLE ${db}.cached DROP PARTITION 'a'`);
      expect(await read()).toEqual([{ k: 'b', total: '5' }]);
      expect(await read()).toEqual([{ k: 'b', total: '5' }]);
      expect(stats()).toEqual([2, 5, 0]);
      // Anything naming a table outside the list, or a system table, runs uncached.
      await cache.query(sql`SELECT count() AS n FROM ${db}.gpu_samples`);
      await cache.query(sql`SELECT count() AS n FROM system.tables WHERE database = ${str(database)}`);
      expect(stats()).toEqual([2, 5, 2]);
      // A result over maxRows is not kept.
      await executor.insert(`${database}.cached`, [
        { k: 'c', v: 1 },
        { k: 'd', v: 1 },
      ]);
      await read();
      await read();
      expect(stats()).toEqual([2, 7, 2]);
    });

    it('throws SqlValueError on bad values, before anything reaches the engine', async () => {
      expect(() => float(Number.NaN)).toThrow(SqlValueError);
      expect(() => float(Infinity)).toThrow(SqlValueError);
      expect(() => uint(1.5)).toThrow(SqlValueError);
      expect(() => uint(-1)).toThrow(SqlValueError);
      expect(() => int(2 ** 53)).toThrow(SqlValueError);
      expect(() => ident('gpu-samples')).toThrow(SqlValueError);
      expect(() => ident('x`; DROP TABLE y')).toThrow(SqlValueError);
      expect(() => str('\uD800')).toThrow(SqlValueError);
      expect(() => sql`SELECT ${'raw string' as unknown as ReturnType<typeof str>}`).toThrow(SqlValueError);
      await expect(executor.insert('bad-name', [])).rejects.toBeInstanceOf(SqlValueError);
      await expect(executor.insert('db.t; DROP TABLE x', [{ a: 1 }])).rejects.toBeInstanceOf(SqlValueError);
    });

    it('rejects non-finite numbers in inserted rows', async () => {
      const { store } = await freshStore();
      await expect(store.insertGpuSamples([sampleRow({ utilization_pct: Number.NaN })])).rejects.toBeInstanceOf(
        SqlValueError,
      );
      expect(await store.countRows(StoreTable.gpuSamples)).toBe(0);
    });

    describeStoreJobsConformance(() => executor, freshStore);

    it('reports bad SQL as a StoreQueryError carrying the ClickHouse code and the query head', async () => {
      const error: unknown = await executor.query(sql`SELEC 1`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreQueryError);
      expect(error).toMatchObject({ clickhouseCode: 62, retriable: false, query: 'SELEC 1' });
      const missing: unknown = await executor
        .command(sql`SELECT * FROM ${ident(uniqueDatabase())}.nope`)
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(StoreQueryError);
    });
  });
}

function podEvent(overrides: Partial<PodEventRow> = {}): PodEventRow {
  return {
    at_ms: T0,
    cluster: 'c1',
    node: 'n1',
    pod_uid: 'pod-1',
    namespace: 'ml',
    pod_name: 'trainer-0',
    event: 'scheduled',
    gpu_request_kind: 'fraction',
    gpu_request_count: 0,
    gpu_request_milli: 500,
    gpu_request_memory_bytes: null,
    gpu_request_mig_profile: '',
    label_keys: ['team', 'tenant'],
    label_values: ['ml', 'acme'],
    owner_kind: 'Job',
    owner_name: 'trainer',
    gpu_uuids: ['GPU-aaaa'],
    ingested_at_ms: T0 + 1_000,
    ...overrides,
  };
}

function modelServerSample(overrides: Partial<ModelServerSampleRow> = {}): ModelServerSampleRow {
  return {
    observed_at_ms: T0,
    agent_id: 'agent-1',
    cluster: 'c1',
    node: 'n1',
    server: 'vllm',
    model: 'meta-llama/Llama-3-8B',
    pod_uid: 'pod-1',
    window_ms: 15_000,
    requests_delta: 10,
    prompt_tokens_delta: 1_000,
    generation_tokens_delta: 5_000,
    latency_ms_sum: 1234.5,
    latency_count: 10,
    queue_depth: 2,
    kv_cache_usage_pct: 41.5,
    ingested_at_ms: T0 + 1_000,
    ...overrides,
  };
}
