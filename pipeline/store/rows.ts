/**
 * Plain rows the store writes, one type per table, in the tables' snake_case. Times are UTC epoch
 * milliseconds (`*_ms`); the store derives the DateTime/Date columns (`ts`, `date`, `ingested_at`,
 * `collected_at`) from them, so they can never disagree. Bytes and counters are JS numbers (exact
 * below 2^53, i.e. 8 PiB). The lead maps contracts records to these rows.
 */
import type { SampleCounterColumn } from '../../contracts/index.ts';

/** The optional counters' columns (contracts/sample-counters.ts, migration 080): null when not read. */
export type GpuSampleCounterColumns = { readonly [C in SampleCounterColumn]: number | null };

export interface GpuSampleRow extends GpuSampleCounterColumns {
  readonly ts_ms: number;
  readonly cluster: string;
  readonly node: string;
  readonly agent_id: string;
  readonly boot_id: string;
  readonly seq: number;
  /** Which collector produced it, e.g. 'nvidia-smi', 'dcgm'. */
  readonly source: string;
  /** 'gpu' or 'mig'. */
  readonly kind: string;
  readonly gpu_uuid: string;
  /** The whole GPU's UUID for a MIG instance; '' for a whole GPU. */
  readonly parent_gpu_uuid: string;
  readonly gpu_index: number;
  readonly model: string;
  readonly driver_version: string;
  readonly utilization_pct: number | null;
  readonly memory_used_bytes: number | null;
  readonly memory_total_bytes: number | null;
  readonly power_watts: number | null;
  readonly power_limit_watts: number | null;
  readonly temperature_c: number | null;
  readonly sm_clock_mhz: number | null;
  readonly mem_clock_mhz: number | null;
  readonly throttle_reasons: readonly string[];
  readonly ecc_corrected_total: number | null;
  readonly ecc_uncorrected_total: number | null;
  readonly mig_gi_id: number | null;
  readonly mig_ci_id: number | null;
  /** '' for a whole GPU. */
  readonly mig_profile: string;
  readonly ingested_at_ms: number;
}

export interface GpuProcessRow {
  readonly ts_ms: number;
  readonly cluster: string;
  readonly node: string;
  readonly agent_id: string;
  readonly boot_id: string;
  readonly seq: number;
  readonly gpu_uuid: string;
  readonly pid: number;
  readonly process_name: string;
  readonly used_memory_bytes: number | null;
  /** '' when the process is not in a pod. */
  readonly pod_uid: string;
  readonly container_id: string;
  /** The process's MIG GPU / compute instance (nvidia-smi XML `process_info`); null when not MIG or unknown. */
  readonly mig_gi_id: number | null;
  readonly mig_ci_id: number | null;
}

export interface IngestBatchRow {
  readonly agent_id: string;
  readonly boot_id: string;
  readonly seq: number;
  readonly cluster: string;
  readonly node: string;
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset; a decimal string or bigint beyond 2^53. */
  readonly offset: number | string | bigint;
  readonly sample_count: number;
  readonly collected_at_ms: number;
  readonly ingested_at_ms: number;
}

export const POD_EVENT_KINDS = ['created', 'scheduled', 'started', 'finished', 'deleted'] as const;
export type PodEventKind = (typeof POD_EVENT_KINDS)[number];

export interface PodEventRow {
  readonly at_ms: number;
  readonly cluster: string;
  readonly node: string | null;
  readonly pod_uid: string;
  readonly namespace: string;
  readonly pod_name: string;
  readonly event: PodEventKind;
  /** The GPU request union flattened; unused fields are 0 / '' / null (see migration 004). */
  readonly gpu_request_kind: 'none' | 'whole' | 'fraction' | 'mig';
  readonly gpu_request_count: number;
  readonly gpu_request_milli: number;
  readonly gpu_request_memory_bytes: number | null;
  readonly gpu_request_mig_profile: string;
  /** Parallel arrays: label_keys[i] = label_values[i]. */
  readonly label_keys: readonly string[];
  readonly label_values: readonly string[];
  /** '' when the pod has no owner. */
  readonly owner_kind: string;
  readonly owner_name: string;
  readonly gpu_uuids: readonly string[];
  readonly ingested_at_ms: number;
}

export interface ModelServerSampleRow {
  readonly observed_at_ms: number;
  readonly agent_id: string;
  readonly cluster: string;
  readonly node: string;
  readonly server: 'vllm' | 'triton' | 'tgi';
  readonly model: string;
  /** '' when unknown. */
  readonly pod_uid: string;
  readonly window_ms: number;
  readonly requests_delta: number;
  readonly prompt_tokens_delta: number;
  readonly generation_tokens_delta: number;
  readonly latency_ms_sum: number;
  readonly latency_count: number;
  readonly queue_depth: number | null;
  readonly kv_cache_usage_pct: number | null;
  readonly ingested_at_ms: number;
}

/** Change marks of one flush (migration 006), stamped just before they are inserted. */
export interface IngestMarks {
  readonly ingestedAtMs: number;
  /** The 1-minute windows (start, epoch ms) and nodes the flush wrote GPU samples of. */
  readonly windows: readonly { readonly window_start_ms: number; readonly cluster: string; readonly node: string }[];
  /** The (agent, boot, intDiv(seq, 1024)) buckets the flush wrote ledger rows into. */
  readonly seqBuckets: readonly { readonly agent_id: string; readonly boot_id: string; readonly seq_bucket: number }[];
}
