/**
 * What the anomaly rules read from the telemetry tables (the fetch half of fetch → evaluate → write;
 * pipeline/rules/fetch-rule-inputs.ts composes it). Every read collapses replayed rows on the tables'
 * keys. Times are epoch ms; ranges are [fromMs, toMs].
 */
import { counterFlag } from '../../contracts/sample-counters.ts';
import type { DeviceSample } from '../rules/rule-inputs.ts';
import type { SqlExecutor } from './executor.ts';
import { deviceId, SAMPLE_KEY } from './sample-sql.ts';
import { date, dateTime, ident, raw, sql, uint } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** One deduplicated GPU or MIG-instance sample (the rules' readings), with the identity of its batch. */
export interface SampleRow extends DeviceSample {
  readonly cluster: string;
  readonly node: string;
  /** The device: GPU or MIG UUID, or `<parent>/<gi>/<ci>` for a MIG instance without one. */
  readonly device: string;
  readonly model: string;
  readonly migProfile: string;
  readonly agentId: string;
  readonly bootId: string;
  readonly seq: number;
}

/** The pods with a process on a GPU in one batch. */
export interface ProcessPodsRow {
  readonly agentId: string;
  readonly bootId: string;
  readonly seq: number;
  readonly gpuUuid: string;
  readonly podUids: readonly string[];
}

export interface XidRow {
  readonly cluster: string;
  readonly node: string;
  readonly gpuUuid: string;
  readonly tsMs: number;
  readonly xid: number;
}

export interface BatchRow {
  readonly cluster: string;
  readonly node: string;
  readonly agentId: string;
  readonly bootId: string;
  readonly seq: number;
  readonly collectedAtMs: number;
}

export interface BootLastSeen {
  readonly cluster: string;
  readonly node: string;
  readonly agentId: string;
  readonly bootId: string;
  readonly lastSeenMs: number;
}

type Raw = Record<string, unknown>;
const n = (v: unknown, what: string) => toSafeNumber(v, what);
const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface RuleInputsStore {
  samples(range: TimeRange): Promise<SampleRow[]>;
  processPods(range: TimeRange): Promise<ProcessPodsRow[]>;
  xids(range: TimeRange): Promise<XidRow[]>;
  /** Every batch collected in the range (deduplicated). */
  batches(range: TimeRange): Promise<BatchRow[]>;
  /** Each agent boot's newest collection time in the range. */
  bootsLastSeen(range: TimeRange): Promise<BootLastSeen[]>;
}

export function createRuleInputsStore(executor: SqlExecutor, config: { readonly database: string }): RuleInputsStore {
  const db = ident(config.database);
  return {
    async samples({ fromMs, toMs }) {
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, node, ts_ms, agent_id, boot_id, seq,
               any(kind) AS s_kind, any(parent_gpu_uuid) AS s_parent, any(model) AS s_model, any(mig_profile) AS s_profile,
               ${deviceId(raw(sql`s_kind`), raw(sql`s_parent`))} AS s_device,
               any(utilization_pct) AS s_util, any(memory_used_bytes) AS s_mem_used, any(memory_total_bytes) AS s_mem_total,
               any(throttle_reasons) AS s_throttle, any(ecc_corrected_total) AS s_ecc_c, any(ecc_uncorrected_total) AS s_ecc_u,
               any(row_remap_pending) AS s_remap_pending, any(row_remap_failure) AS s_remap_failure,
               any(retired_pages_pending) AS s_retire_pending
        FROM ${db}.gpu_samples
        WHERE date >= ${date(fromMs)} AND date <= ${date(toMs)} AND ts_ms >= ${uint(fromMs)} AND ts_ms <= ${uint(toMs)}
        GROUP BY ${SAMPLE_KEY}
        ORDER BY cluster, node, s_device, ts_ms`);
      return rows.map((r) => ({
        cluster: String(r['cluster']),
        node: String(r['node']),
        device: String(r['s_device']),
        model: String(r['s_model']),
        migProfile: String(r['s_profile']),
        tsMs: n(r['ts_ms'], 'ts_ms'),
        agentId: String(r['agent_id']),
        bootId: String(r['boot_id']),
        seq: n(r['seq'], 'seq'),
        utilizationPct: nullableNumber(r['s_util']),
        memoryUsedBytes: r['s_mem_used'] === null ? null : n(r['s_mem_used'], 'memory_used_bytes'),
        memoryTotalBytes: r['s_mem_total'] === null ? null : n(r['s_mem_total'], 'memory_total_bytes'),
        throttleReasons: r['s_throttle'] as string[],
        eccCorrectedTotal: r['s_ecc_c'] === null ? null : n(r['s_ecc_c'], 'ecc_corrected_total'),
        eccUncorrectedTotal: r['s_ecc_u'] === null ? null : n(r['s_ecc_u'], 'ecc_uncorrected_total'),
        rowRemapPending: counterFlag(nullableNumber(r['s_remap_pending'])),
        rowRemapFailure: counterFlag(nullableNumber(r['s_remap_failure'])),
        retiredPagesPending: counterFlag(nullableNumber(r['s_retire_pending'])),
      }));
    },

    async processPods({ fromMs, toMs }) {
      const rows = await executor.query<Raw>(sql`
        SELECT agent_id, boot_id, seq, gpu_uuid, groupUniqArray(pod_uid) AS pods
        FROM ${db}.gpu_processes
        WHERE date >= ${date(fromMs)} AND date <= ${date(toMs)} AND ts_ms >= ${uint(fromMs)} AND ts_ms <= ${uint(toMs)}
          AND pod_uid != ''
        GROUP BY agent_id, boot_id, seq, gpu_uuid`);
      return rows.map((r) => ({
        agentId: String(r['agent_id']),
        bootId: String(r['boot_id']),
        seq: n(r['seq'], 'seq'),
        gpuUuid: String(r['gpu_uuid']),
        podUids: (r['pods'] as string[]).slice().sort(),
      }));
    },

    async xids({ fromMs, toMs }) {
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, node, gpu_uuid, ts_ms, any(xid) AS code
        FROM ${db}.gpu_xid_events
        WHERE date >= ${date(fromMs)} AND date <= ${date(toMs)} AND ts_ms >= ${uint(fromMs)} AND ts_ms <= ${uint(toMs)}
        GROUP BY cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq, ordinal
        ORDER BY cluster, node, gpu_uuid, ts_ms`);
      return rows.map((r) => ({
        cluster: String(r['cluster']),
        node: String(r['node']),
        gpuUuid: String(r['gpu_uuid']),
        tsMs: n(r['ts_ms'], 'ts_ms'),
        xid: Number(r['code']),
      }));
    },

    async batches({ fromMs, toMs }) {
      const rows = await executor.query<Raw>(sql`
        SELECT agent_id, boot_id, seq, any(cluster) AS b_cluster, any(node) AS b_node, toUInt32(any(collected_at)) AS b_at
        FROM ${db}.ingest_batches
        WHERE collected_at >= ${dateTime(fromMs)} AND collected_at <= ${dateTime(toMs)}
        GROUP BY agent_id, boot_id, seq
        ORDER BY agent_id, boot_id, seq`);
      return rows.map((r) => ({
        cluster: String(r['b_cluster']),
        node: String(r['b_node']),
        agentId: String(r['agent_id']),
        bootId: String(r['boot_id']),
        seq: n(r['seq'], 'seq'),
        collectedAtMs: Number(r['b_at']) * 1000,
      }));
    },

    async bootsLastSeen({ fromMs, toMs }) {
      const rows = await executor.query<Raw>(sql`
        SELECT agent_id, boot_id, any(cluster) AS b_cluster, any(node) AS b_node, toUInt32(max(collected_at)) AS b_last
        FROM ${db}.ingest_batches
        WHERE collected_at >= ${dateTime(fromMs)} AND collected_at <= ${dateTime(toMs)}
        GROUP BY agent_id, boot_id
        ORDER BY agent_id, boot_id`);
      return rows.map((r) => ({
        cluster: String(r['b_cluster']),
        node: String(r['b_node']),
        agentId: String(r['agent_id']),
        bootId: String(r['boot_id']),
        lastSeenMs: Number(r['b_last']) * 1000,
      }));
    },
  };
}
