import type { SqlExecutor } from './executor.ts';
import { encodeGpuProcessBlock, encodeGpuSampleBlock, encodeIngestBatchBlock } from './gpu-batch-encoder.ts';
import { toGpuProcessRows, toGpuSampleRows } from './gpu-batch-rows.ts';
import { migrate, type MigrationResult } from './migrate.ts';
import { rawRange, SAMPLE_KEY } from './sample-sql.ts';
import type { PackedGpuBatch } from '../ingest/packed-gpu-batch.ts';
import type {
  GpuProcessRow,
  GpuSampleRow,
  IngestBatchRow,
  IngestMarks,
  ModelServerSampleRow,
  PodEventRow,
} from './rows.ts';
import { ident, raw, sql, SqlValueError, str, toEpochSeconds, toUtcDate } from './sql.ts';

/** The store's tables (as const object + same-named union). */
export const StoreTable = {
  gpuSamples: 'gpu_samples',
  gpuProcesses: 'gpu_processes',
  ingestBatches: 'ingest_batches',
  podEvents: 'pod_events',
  modelServerSamples: 'model_server_samples',
  schemaMigrations: 'schema_migrations',
  ingestDirtyWindows: 'ingest_dirty_windows',
  ingestDirtySeqBuckets: 'ingest_dirty_seq_buckets',
  gpuRollup1m: 'gpu_rollup_1m',
  gpuRollup1h: 'gpu_rollup_1h',
  podRollup1m: 'pod_rollup_1m',
  podRollup1h: 'pod_rollup_1h',
  telemetrySeqBuckets: 'telemetry_seq_buckets',
  telemetryGaps: 'telemetry_gaps',
  pipelineJobState: 'pipeline_job_state',
  // Written by pipeline/cost (migration 020, cost-store.ts); listed so that the schema check knows every table.
  costLedger: 'cost_ledger',
  costLedgerWindows: 'cost_ledger_windows',
  // A view of the ledger's current rows for readers outside the store (Grafana: migration 070).
  costLedgerCurrent: 'cost_ledger_current',
  // Written by scheduler/recommender (migration 050, recommendation-store.ts).
  recommendations: 'recommendations',
  recommendationStatus: 'recommendation_status',
  // Anomaly rules, alerts and budgets (migrations 030–033: xid-event-store.ts, alert-store.ts, budget-store.ts).
  gpuXidEvents: 'gpu_xid_events',
  alerts: 'alerts',
  alertOutbox: 'alert_outbox',
  budgets: 'budgets',
  budgetChanges: 'budget_changes',
  // Migrations 040–043: the API's tokens, audit log and quotas, and the ledger's daily pre-aggregation.
  apiTokens: 'api_tokens',
  auditLog: 'audit_log',
  tenantQuotas: 'tenant_quotas',
  costLedgerDaily: 'cost_ledger_daily',
  costLedgerDays: 'cost_ledger_days',
} as const;
export type StoreTable = (typeof StoreTable)[keyof typeof StoreTable];
const TABLES: ReadonlySet<string> = new Set(Object.values(StoreTable));
/** Tables whose rows are not collapsed by a key (plain MergeTree, or a view): counted without FINAL. */
const UNKEYED: ReadonlySet<string> = new Set([
  StoreTable.ingestDirtyWindows,
  StoreTable.ingestDirtySeqBuckets,
  StoreTable.telemetryGaps,
]);

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
  /** The engine and database, for the scheduled jobs (rollups, telemetry gaps, retention) that run SQL of their own. */
  readonly executor: SqlExecutor;
  readonly database: string;
  /** Creates the database and tables (idempotent); see migrate.ts. */
  migrate(): Promise<MigrationResult>;
  insertGpuSamples(rows: readonly GpuSampleRow[]): Promise<void>;
  insertGpuProcesses(rows: readonly GpuProcessRow[]): Promise<void>;
  /**
   * The ingest hot path: the batches' gpu_samples and gpu_processes rows (the same rows as the two
   * inserts above; Native blocks where the engine takes them), from the batches as the ingest decoder
   * packs them (packed-gpu-batch.ts).
   */
  insertGpuBatches(batches: readonly PackedGpuBatch[], ingestedAtMs: number): Promise<void>;
  insertIngestBatches(rows: readonly IngestBatchRow[]): Promise<void>;
  insertPodEvents(rows: readonly PodEventRow[]): Promise<void>;
  insertModelServerSamples(rows: readonly ModelServerSampleRow[]): Promise<void>;
  /** Change marks for the scheduled jobs; write them AFTER the rows they describe (migration 006). */
  insertIngestMarks(marks: IngestMarks): Promise<void>;
  /** Per-GPU utilization in [fromMs, toMs), ordered by cluster, node, gpuUuid. */
  gpuUtilization(query: GpuUtilizationQuery): Promise<GpuUtilizationRow[]>;
  /** Rows in a table; for keyed (ReplacingMergeTree) tables distinct keys: replayed copies count once, merged or not. */
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

/** A gpu_samples row as inserted (JSONEachRow): DateTime/Date columns derived from the epoch-ms ones. */
export function toGpuSampleInsertRow({ ingested_at_ms, ...row }: GpuSampleRow): Record<string, unknown> {
  return {
    ...row,
    ts: toEpochSeconds(row.ts_ms),
    date: toUtcDate(row.ts_ms),
    ingested_at: toEpochSeconds(ingested_at_ms),
  };
}

export function createTelemetryStore(executor: SqlExecutor, config: TelemetryStoreConfig): TelemetryStore {
  const db = ident(config.database);
  const table = (name: StoreTable): string => `${config.database}.${name}`;

  const store: TelemetryStore = {
    executor,
    database: config.database,
    migrate: () => migrate(executor, { database: config.database }),

    insertGpuSamples: (rows) => executor.insert(table(StoreTable.gpuSamples), rows.map(toGpuSampleInsertRow)),

    async insertGpuBatches(batches, ingestedAtMs) {
      const native = executor.insertNative;
      if (native === undefined) {
        // chDB: statements are text; the generic rows, which write exactly the same values.
        await Promise.all([
          store.insertGpuSamples(batches.flatMap((b) => toGpuSampleRows(b, ingestedAtMs))),
          store.insertGpuProcesses(batches.flatMap(toGpuProcessRows)),
        ]);
        return;
      }
      await Promise.all([
        native(table(StoreTable.gpuSamples), encodeGpuSampleBlock(batches, ingestedAtMs)),
        native(table(StoreTable.gpuProcesses), encodeGpuProcessBlock(batches)),
      ]);
    },

    async insertIngestMarks(marks) {
      const ingested_at = toEpochSeconds(marks.ingestedAtMs);
      await Promise.all([
        executor.insert(
          table(StoreTable.ingestDirtyWindows),
          marks.windows.map((w) => ({ ingested_at, ...w })),
        ),
        executor.insert(
          table(StoreTable.ingestDirtySeqBuckets),
          marks.seqBuckets.map((b) => ({ ingested_at, ...b })),
        ),
      ]);
    },

    insertGpuProcesses: (rows) =>
      executor.insert(
        table(StoreTable.gpuProcesses),
        rows.map((row) => ({ ...row, ts: toEpochSeconds(row.ts_ms), date: toUtcDate(row.ts_ms) })),
      ),

    insertIngestBatches: (rows) =>
      executor.insertNative?.(table(StoreTable.ingestBatches), encodeIngestBatchBlock(rows)) ??
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
          WHERE ${rawRange(q.fromMs, q.toMs)}
            ${clusterFilter} ${nodeFilter}
          GROUP BY ${SAMPLE_KEY}
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
      const final = UNKEYED.has(name) ? raw(sql``) : raw(sql`FINAL`);
      const rows = await executor.query<{ n: string | number }>(
        sql`SELECT count() AS n FROM ${db}.${ident(name)} ${final}`,
      );
      return toSafeNumber(rows[0]?.n, `count of ${name}`);
    },

    close: () => executor.close(),
  };
  return store;
}
