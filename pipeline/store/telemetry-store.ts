import type { SqlExecutor } from './executor.ts';
import { migrate, type MigrationResult } from './migrate.ts';
import type { GpuProcessRow, GpuSampleRow, IngestBatchRow, ModelServerSampleRow, PodEventRow } from './rows.ts';
import { date, ident, raw, sql, SqlValueError, str, toEpochSeconds, toUtcDate, uint } from './sql.ts';

/** The store's tables (as const object + same-named union). */
export const StoreTable = {
  gpuSamples: 'gpu_samples',
  gpuProcesses: 'gpu_processes',
  ingestBatches: 'ingest_batches',
  podEvents: 'pod_events',
  modelServerSamples: 'model_server_samples',
  schemaMigrations: 'schema_migrations',
} as const;
export type StoreTable = (typeof StoreTable)[keyof typeof StoreTable];
const TABLES: ReadonlySet<string> = new Set(Object.values(StoreTable));

export interface GpuUtilizationQuery {
  /** Window start, epoch ms, inclusive. */
  readonly fromMs: number;
  /** Window end, epoch ms, exclusive. */
  readonly toMs: number;
  readonly cluster?: string;
  readonly node?: string;
}

/** Per-GPU (or MIG instance) utilization over a window, duplicates collapsed. */
export interface GpuUtilizationRow {
  readonly cluster: string;
  readonly node: string;
  readonly gpuUuid: string;
  readonly model: string;
  /** Distinct samples (replayed copies count once). */
  readonly samples: number;
  /** Mean over samples that reported utilization; null when none did. */
  readonly avgUtilizationPct: number | null;
  readonly maxUtilizationPct: number | null;
  readonly avgMemoryUsedBytes: number | null;
}

/**
 * The telemetry store: typed writes and reads over one database, every statement built with `sql`.
 * Reads are exact under at-least-once delivery: they collapse replayed rows themselves (GROUP BY
 * the ReplacingMergeTree key, or FINAL) instead of waiting for background merges.
 */
export interface TelemetryStore {
  /** Creates the database and tables (idempotent); see migrate.ts. */
  migrate(): Promise<MigrationResult>;
  insertGpuSamples(rows: readonly GpuSampleRow[]): Promise<void>;
  insertGpuProcesses(rows: readonly GpuProcessRow[]): Promise<void>;
  insertIngestBatches(rows: readonly IngestBatchRow[]): Promise<void>;
  insertPodEvents(rows: readonly PodEventRow[]): Promise<void>;
  insertModelServerSamples(rows: readonly ModelServerSampleRow[]): Promise<void>;
  /** Per-GPU utilization in [fromMs, toMs), ordered by cluster, node, gpuUuid. */
  gpuUtilization(query: GpuUtilizationQuery): Promise<GpuUtilizationRow[]>;
  /** Distinct rows in a table (replayed copies count once, merged or not). */
  countRows(table: StoreTable): Promise<number>;
  /** Closes the executor. */
  close(): Promise<void>;
}

export interface TelemetryStoreConfig {
  readonly database: string;
}

/** A UInt64/Int64 result (a JSON string, see executor.ts) or a plain number → a safe JS number. */
export function toSafeNumber(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new RangeError(`${what}: ${String(value)} is not an integer below 2^53`);
  }
  return n;
}

/** Float results; NULL (no non-null input) stays null. */
function toNullableFloat(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

interface UtilizationResult {
  readonly cluster: string;
  readonly node: string;
  readonly gpu_uuid: string;
  readonly model: string;
  readonly samples: string | number;
  readonly avg_utilization_pct: number | null;
  readonly max_utilization_pct: number | null;
  readonly avg_memory_used_bytes: number | null;
}

export function createTelemetryStore(executor: SqlExecutor, config: TelemetryStoreConfig): TelemetryStore {
  const db = ident(config.database);
  const table = (name: StoreTable): string => `${config.database}.${name}`;

  return {
    migrate: () => migrate(executor, { database: config.database }),

    insertGpuSamples: (rows) =>
      executor.insert(
        table(StoreTable.gpuSamples),
        rows.map(({ ingested_at_ms, ...row }) => ({
          ...row,
          ts: toEpochSeconds(row.ts_ms),
          date: toUtcDate(row.ts_ms),
          ingested_at: toEpochSeconds(ingested_at_ms),
        })),
      ),

    insertGpuProcesses: (rows) =>
      executor.insert(
        table(StoreTable.gpuProcesses),
        rows.map((row) => ({ ...row, ts: toEpochSeconds(row.ts_ms), date: toUtcDate(row.ts_ms) })),
      ),

    insertIngestBatches: (rows) =>
      executor.insert(
        table(StoreTable.ingestBatches),
        rows.map(({ collected_at_ms, ingested_at_ms, ...row }) => ({
          ...row,
          collected_at: toEpochSeconds(collected_at_ms),
          ingested_at: toEpochSeconds(ingested_at_ms),
        })),
      ),

    insertPodEvents: (rows) =>
      executor.insert(
        table(StoreTable.podEvents),
        rows.map(({ ingested_at_ms, ...row }) => {
          if (row.label_keys.length !== row.label_values.length) {
            throw new SqlValueError(`pod_events ${row.pod_uid}: label_keys and label_values differ in length`);
          }
          return {
            ...row,
            ts: toEpochSeconds(row.at_ms),
            date: toUtcDate(row.at_ms),
            ingested_at: toEpochSeconds(ingested_at_ms),
          };
        }),
      ),

    insertModelServerSamples: (rows) =>
      executor.insert(
        table(StoreTable.modelServerSamples),
        rows.map(({ ingested_at_ms, ...row }) => ({
          ...row,
          ts: toEpochSeconds(row.observed_at_ms),
          date: toUtcDate(row.observed_at_ms),
          ingested_at: toEpochSeconds(ingested_at_ms),
        })),
      ),

    async gpuUtilization(q) {
      const noFilter = raw(sql``);
      const clusterFilter = q.cluster === undefined ? noFilter : raw(sql`AND cluster = ${str(q.cluster)}`);
      const nodeFilter = q.node === undefined ? noFilter : raw(sql`AND node = ${str(q.node)}`);
      // Inner GROUP BY = the ReplacingMergeTree key: replayed copies collapse to one sample even
      // before a merge (exact, and parallel on 18.16 where FINAL is not). Aliases differ from
      // column names: old ClickHouse substitutes an alias into its own aggregate otherwise.
      const rows = await executor.query<UtilizationResult>(sql`
        SELECT cluster, node, gpu_uuid,
               any(s_model) AS model,
               count() AS samples,
               avg(s_utilization_pct) AS avg_utilization_pct,
               max(s_utilization_pct) AS max_utilization_pct,
               avg(s_memory_used_bytes) AS avg_memory_used_bytes
        FROM (
          SELECT cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq,
                 any(model) AS s_model,
                 any(utilization_pct) AS s_utilization_pct,
                 any(memory_used_bytes) AS s_memory_used_bytes
          FROM ${db}.gpu_samples
          WHERE date >= ${date(q.fromMs)} AND date <= ${date(q.toMs)}
            AND ts_ms >= ${uint(q.fromMs)} AND ts_ms < ${uint(q.toMs)}
            ${clusterFilter} ${nodeFilter}
          GROUP BY cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq
        )
        GROUP BY cluster, node, gpu_uuid
        ORDER BY cluster, node, gpu_uuid`);
      return rows.map((r) => ({
        cluster: r.cluster,
        node: r.node,
        gpuUuid: r.gpu_uuid,
        model: r.model,
        samples: toSafeNumber(r.samples, 'samples'),
        avgUtilizationPct: toNullableFloat(r.avg_utilization_pct),
        maxUtilizationPct: toNullableFloat(r.max_utilization_pct),
        avgMemoryUsedBytes: toNullableFloat(r.avg_memory_used_bytes),
      }));
    },

    async countRows(name) {
      if (!TABLES.has(name)) throw new SqlValueError(`countRows: unknown table ${JSON.stringify(name)}`);
      const rows = await executor.query<{ n: string | number }>(
        sql`SELECT count() AS n FROM ${db}.${ident(name)} FINAL`,
      );
      return toSafeNumber(rows[0]?.n, `count of ${name}`);
    },

    close: () => executor.close(),
  };
}
