/**
 * What the cost ledger job reads from the telemetry store (the I/O half of fetch → compute → write;
 * pipeline/cost/ computes). The sample rule (replay, device, physical GPU, interval) is sample-sql.ts's. Three inputs per window:
 *
 * - POD LIFECYCLE (pod_events): every event of each pod that requests GPU and whose allocation may
 *   overlap the range, deduplicated; toPodIntervals turns them into exact intervals.
 * - GPU INVENTORY (gpu_samples): per node, the distinct PHYSICAL GPUs that reported a sample in the
 *   window (a MIG instance counts as its parent GPU), with model and first/last sample time, and
 *   whether the GPU also reported within `bridgeMs` before and after the window; a GPU silent all
 *   window but seen on both sides (its agent was down) is listed too.
 * - USAGE (gpu_samples × gpu_processes), exact under replay: samples are collapsed on their identity
 *   (cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq) before anything is summed.
 *   * Seconds: a sample at t stands for (t − interval, t], interval = the time since the device's
 *     previous distinct sample, or 0 when that gap exceeds maxGapMs (a telemetry gap is not usage)
 *     or there is none; only the part of that span inside the window counts, so every millisecond of
 *     a device falls in exactly one window. Busy time = utilization% × that span.
 *   * Pods: a sample is bound to the distinct pod UIDs with a process on its PHYSICAL GPU in the SAME
 *     batch (agent_id, boot_id, seq) — for a MIG instance's sample, on that instance (or of unknown
 *     instance; sample-sql.ts, sampleBindKeys); a process outside any pod counts as one more sharer ('').
 *   * Several sharers: each gets 1/k of the sample's busy time (equal split: per-process GPU memory
 *     says nothing about who used the SMs), so the pods' usage never sums past the device's.
 *   Same rule as the pod rollups (migration 008), clipped to the window instead of bucketed by t.
 */
import type { PodEvent } from '../../contracts/pod-event.ts';
import type { SqlExecutor } from './executor.ts';
import { PROCESS_BIND_KEYS, rawRange, ROW_PHYSICAL_GPU, sampleBindKeys, samplesWithIntervals } from './sample-sql.ts';
import { date, ident, int, raw, sql, str, uint } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** One physical GPU seen on a node in a window. */
export interface InventoryGpu {
  readonly cluster: string;
  readonly node: string;
  readonly gpuUuid: string;
  readonly model: string;
  /** First and last sample inside the window; null when it reported none there (silent, seen on both sides). */
  readonly firstSeenMs: number | null;
  readonly lastSeenMs: number | null;
  /** It reported within `bridgeMs` before the window start / at or after the window end (up to `bridgeMs`). */
  readonly seenBefore: boolean;
  readonly seenAfter: boolean;
}

/** Busy time one pod got from one kind of device in a window: utilization% × milliseconds, already split among sharers. */
export interface PodUsage {
  readonly cluster: string;
  readonly podUid: string;
  readonly kind: string;
  readonly model: string;
  readonly migProfile: string;
  readonly busyPctMs: number;
}

export interface LedgerInputs {
  podEvents(range: TimeRange): Promise<PodEvent[]>;
  inventory(window: TimeRange): Promise<InventoryGpu[]>;
  usage(window: TimeRange): Promise<PodUsage[]>;
  /** The earliest GPU sample in [fromMs, toMs), or null. */
  earliestSampleMs(range: TimeRange): Promise<number | null>;
}

export interface LedgerInputsConfig {
  readonly database: string;
  /** A sample's span reaches back at most this far; longer gaps count nothing. */
  readonly maxGapMs: number;
  /** How far a batch's collection time (process rows) may be from its samples' times. */
  readonly processSkewMs: number;
  /** How far outside a window the inventory looks for a GPU's samples (gpu-inventory.ts: a silent agent does not end its node). */
  readonly bridgeMs: number;
}

type Raw = Record<string, unknown>;
/** What usage() needs of each sample: its utilization, the GPU its processes name, and what prices it. */
const USAGE_FIELDS = { perSample: ['util', 'bind_gpu', 'kind', 'model', 'profile'], perDevice: ['bind_gi'] } as const;
const n = (v: unknown, what: string) => toSafeNumber(v, what);

const toPodEvent = (r: Raw): PodEvent => {
  const kind = String(r['gpu_request_kind']);
  const count = Number(r['gpu_request_count']);
  const memory = r['gpu_request_memory_bytes'];
  const gpuRequest: PodEvent['gpuRequest'] =
    kind === 'whole'
      ? { kind, count }
      : kind === 'fraction'
        ? { kind, milli: Number(r['gpu_request_milli']), memoryBytes: memory === null ? null : Number(memory) }
        : kind === 'mig'
          ? { kind, profile: String(r['gpu_request_mig_profile']), count }
          : { kind: 'none' };
  const keys = r['label_keys'] as string[];
  const values = r['label_values'] as string[];
  const ownerKind = String(r['owner_kind']);
  return {
    schemaVersion: 1,
    cluster: String(r['cluster']),
    node: r['node'] as string | null,
    podUid: String(r['pod_uid']),
    namespace: String(r['namespace']),
    podName: String(r['pod_name']),
    event: r['event'] as PodEvent['event'],
    atMs: n(r['at_ms'], 'at_ms'),
    gpuRequest,
    labels: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ''])),
    owner: ownerKind === '' ? null : { kind: ownerKind, name: String(r['owner_name']) },
    gpuUuids: r['gpu_uuids'] as string[],
  };
};

export function createLedgerInputs(executor: SqlExecutor, config: LedgerInputsConfig): LedgerInputs {
  const db = ident(config.database);
  const starts = raw(sql`event IN (${str('scheduled')}, ${str('started')})`);
  const ends = raw(sql`event IN (${str('finished')}, ${str('deleted')})`);
  return {
    async podEvents({ fromMs, toMs }) {
      // Candidates: asked for GPU, bound before toMs, not ended by fromMs. Then ALL their events
      // (a start or end outside the range still decides the interval).
      const rows = await executor.query<Raw>(sql`
        SELECT at_ms, cluster, node, pod_uid, namespace, pod_name, event, gpu_request_kind, gpu_request_count,
               gpu_request_milli, gpu_request_memory_bytes, gpu_request_mig_profile, label_keys, label_values,
               owner_kind, owner_name, gpu_uuids
        FROM ${db}.pod_events
        WHERE (cluster, pod_uid) IN (
          SELECT cluster, pod_uid FROM ${db}.pod_events
          WHERE date <= ${date(toMs)}
          GROUP BY cluster, pod_uid
          HAVING countIf(gpu_request_kind != ${str('none')}) > 0
             AND countIf(${starts} AND at_ms < ${uint(toMs)}) > 0
             AND (countIf(${ends}) = 0 OR minIf(at_ms, ${ends}) > ${uint(fromMs)}))
        ORDER BY cluster, pod_uid, at_ms, event
        LIMIT 1 BY cluster, pod_uid, event, at_ms`);
      return rows.map(toPodEvent);
    },

    async inventory({ fromMs, toMs }) {
      const [lo, hi] = [Math.max(0, fromMs - config.bridgeMs), toMs + config.bridgeMs];
      const inside = raw(sql`ts_ms >= ${uint(fromMs)} AND ts_ms < ${uint(toMs)}`);
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, node, ${ROW_PHYSICAL_GPU} AS physical,
               any(model) AS gpu_model, countIf(${inside}) AS inside_samples,
               minIf(ts_ms, ${inside}) AS first_ms, maxIf(ts_ms, ${inside}) AS last_ms,
               countIf(ts_ms < ${uint(fromMs)}) AS samples_before, countIf(ts_ms >= ${uint(toMs)}) AS samples_after
        FROM ${db}.gpu_samples
        WHERE date >= ${date(lo)} AND date <= ${date(hi - 1)} AND ts_ms >= ${uint(lo)} AND ts_ms < ${uint(hi)}
        GROUP BY cluster, node, physical
        HAVING inside_samples > 0 OR (samples_before > 0 AND samples_after > 0)
        ORDER BY cluster, node, physical`);
      return rows.map((r) => {
        const seen = n(r['inside_samples'], 'inside_samples') > 0;
        return {
          cluster: String(r['cluster']),
          node: String(r['node']),
          gpuUuid: String(r['physical']),
          model: String(r['gpu_model']),
          firstSeenMs: seen ? n(r['first_ms'], 'first_ms') : null,
          lastSeenMs: seen ? n(r['last_ms'], 'last_ms') : null,
          seenBefore: n(r['samples_before'], 'samples_before') > 0,
          seenAfter: n(r['samples_after'], 'samples_after') > 0,
        };
      });
    },

    async usage({ fromMs, toMs }) {
      const lo = Math.max(0, fromMs - config.maxGapMs);
      const hi = toMs + config.maxGapMs;
      const [plo, phi] = [Math.max(0, lo - config.processSkewMs), hi + config.processSkewMs];
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, pod, u_kind, u_model, u_profile, sum(u_busy / k) AS busy_pct_ms
        FROM (
          SELECT cluster, node, device, ts_ms, agent_id, boot_id, seq, any(kind) AS u_kind, any(model) AS u_model,
                 any(profile) AS u_profile, any(c_busy) AS u_busy, groupUniqArray(p_pod) AS pods, length(pods) AS k
          FROM (
            SELECT *, bind_key FROM (
              SELECT *,
                     least(toInt64(ts_ms), ${int(toMs)}) - greatest(toInt64(ts_ms) - toInt64(interval_ms), ${int(fromMs)}) AS overlap_ms,
                     ifNull(util, 0) * overlap_ms AS c_busy
              FROM (${samplesWithIntervals({ database: config.database, fromMs: lo, toMs: hi }, config.maxGapMs, USAGE_FIELDS)}))
            ARRAY JOIN ${sampleBindKeys(raw(sql`bind_gi`))} AS bind_key
            WHERE overlap_ms > 0 AND c_busy > 0) AS smp
          ALL INNER JOIN (
            SELECT agent_id, boot_id, seq, gpu_uuid AS bind_gpu, bind_key, pod_uid AS p_pod
            FROM ${db}.gpu_processes
            ARRAY JOIN ${PROCESS_BIND_KEYS} AS bind_key
            WHERE ${rawRange(plo, phi)}
            GROUP BY agent_id, boot_id, seq, gpu_uuid, bind_key, pod_uid) AS prc USING (agent_id, boot_id, seq, bind_gpu, bind_key)
          GROUP BY cluster, node, device, ts_ms, agent_id, boot_id, seq)
        ARRAY JOIN pods AS pod
        WHERE pod != ''
        GROUP BY cluster, pod, u_kind, u_model, u_profile
        ORDER BY cluster, pod, u_kind, u_model, u_profile`);
      return rows.map((r) => ({
        cluster: String(r['cluster']),
        podUid: String(r['pod']),
        kind: String(r['u_kind']),
        model: String(r['u_model']),
        migProfile: String(r['u_profile']),
        busyPctMs: Number(r['busy_pct_ms']),
      }));
    },

    async earliestSampleMs({ fromMs, toMs }) {
      const rows = await executor.query<Raw>(sql`
        SELECT min(ts_ms) AS first_ms, count() AS samples FROM ${db}.gpu_samples
        WHERE ${rawRange(fromMs, toMs)}`);
      const row = rows[0];
      return row === undefined || n(row['samples'], 'samples') === 0 ? null : n(row['first_ms'], 'first_ms');
    },
  };
}
