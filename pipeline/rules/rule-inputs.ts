/**
 * What the anomaly rules read: plain data, sorted by time, already deduplicated. The store side
 * (pipeline/store/rule-inputs-store.ts) fetches it for a lookback window; `gpu-ledger rules check`
 * builds it from captured files (check/capture-inputs.ts). A rule sees only what an evaluation at
 * time t could have seen: data stamped at or before t.
 *
 * Adding a telemetry field for a rule: add it (optional) to DeviceSample, fill it in the fetch and the
 * capture builder; the rules that do not use it are untouched.
 */
import type { GpuSample } from '../../contracts/gpu-sample-batch.ts';
import { counterFlag } from '../../contracts/sample-counters.ts';
import type { Budget } from '../budgets/budget.ts';

/** One reading of one GPU or MIG instance. Units in the names; null: the source did not report it. */
export interface DeviceSample {
  readonly tsMs: number;
  readonly utilizationPct: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  /** Active clock event reasons (contracts ThrottleReason names). */
  readonly throttleReasons: readonly string[];
  readonly eccCorrectedTotal: number | null;
  readonly eccUncorrectedTotal: number | null;
  /** Row remapping state (nvidia-smi remapped_rows, DCGM ROW_REMAP_FAILURE; contracts/sample-counters.ts). */
  readonly rowRemapPending: boolean | null;
  readonly rowRemapFailure: boolean | null;
  /** A page retirement waits for a reset (GPUs before the A100; nvidia-smi retired_pages). */
  readonly retiredPagesPending: boolean | null;
}

/** A contract sample's readings as a rule sees them (captures, tests). */
export const toDeviceSample = (s: GpuSample): DeviceSample => ({
  tsMs: s.observedAtMs,
  utilizationPct: s.utilizationPct,
  memoryUsedBytes: s.memoryUsedBytes,
  memoryTotalBytes: s.memoryTotalBytes,
  throttleReasons: s.throttleReasons,
  eccCorrectedTotal: s.eccCorrectedTotal,
  eccUncorrectedTotal: s.eccUncorrectedTotal,
  rowRemapPending: counterFlag(s.rowRemapPending),
  rowRemapFailure: counterFlag(s.rowRemapFailure),
  retiredPagesPending: counterFlag(s.retiredPagesPending),
});

/** The readings of one device, ascending by time. `gpuUuid` is the device id (MIG: `MIG-…` or `<parent>/<gi>/<ci>`). */
export interface DeviceSeries {
  readonly cluster: string;
  readonly node: string;
  readonly gpuUuid: string;
  readonly model: string;
  /** '' for a whole GPU. */
  readonly migProfile: string;
  readonly samples: readonly DeviceSample[];
}

/** A device's utilization while one pod was bound to it, with what the pod pays for its share of it. */
export interface PodDeviceSeries {
  readonly cluster: string;
  readonly node: string;
  /** The device (GPU, MIG instance); '' when unknown (a per-pod series from a trace). */
  readonly gpuUuid: string;
  readonly podUid: string;
  readonly namespace: string;
  /** Pod name (or the series key of a trace). */
  readonly pod: string;
  readonly tenant: string;
  /** GPUs of this device the pod holds (1 whole, 0.5 half a time-sliced GPU, 2/7 a MIG 2g slice); null: unknown. */
  readonly share: number | null;
  /** share × the device's price per GPU-hour (price catalog); null when either is unknown. */
  readonly usdPerHour: number | null;
  readonly samples: readonly { readonly tsMs: number; readonly utilizationPct: number | null }[];
}

/** One Xid code reported on one GPU (kernel log via the agent, or a captured log). */
export interface XidRecord {
  readonly cluster: string;
  readonly node: string;
  /** The GPU's UUID; the PCI bus id when only that is known (a captured log). */
  readonly gpuUuid: string;
  readonly tsMs: number;
  readonly xid: number;
  readonly message?: string;
}

/** The batches one agent boot delivered (seq, collection time), ascending by seq. */
export interface AgentBatches {
  readonly cluster: string;
  readonly node: string;
  readonly agentId: string;
  readonly bootId: string;
  /** Recent batches (the fetch's gap window). */
  readonly batches: readonly { readonly seq: number; readonly collectedAtMs: number }[];
  /** The boot's newest collection time when older than the recent batches (the fetch looks further back for it); else null. */
  readonly lastSeenMs: number | null;
}

/** Ledger cost of one group (e.g. tenant acme) per closed window. */
export interface CostSeries {
  /** The grouping, e.g. `tenant`, `namespace`, `model`. */
  readonly by: string;
  readonly value: string;
  /** Cost per window start; a computed window missing here cost this group 0. */
  readonly costByWindow: ReadonlyMap<number, number>;
}

/** Cost of the ledger's windows, per group, for the cost-spike rule. */
export interface CostInputs {
  readonly windowMs: number;
  /** Starts of the windows the ledger computed (ascending). */
  readonly windows: readonly number[];
  readonly series: readonly CostSeries[];
}

/** A budget and what its scope spent in the current period, as of `atMs`. */
export interface BudgetSpend {
  readonly budget: Budget;
  readonly periodStartMs: number;
  readonly periodEndMs: number;
  readonly atMs: number;
  /** Closed ledger windows plus the open tail computed the same way (budget-spend.ts). */
  readonly spentUsd: number;
  readonly ledgerUsd: number;
  readonly provisionalUsd: number;
}

export interface RuleInputs {
  readonly devices: readonly DeviceSeries[];
  readonly podDevices: readonly PodDeviceSeries[];
  readonly xids: readonly XidRecord[];
  readonly agents: readonly AgentBatches[];
  readonly costs: CostInputs;
  /** Spend as of the evaluation (live only: a replay has none). */
  readonly budgets: readonly BudgetSpend[];
}

export const EMPTY_RULE_INPUTS: RuleInputs = {
  devices: [],
  podDevices: [],
  xids: [],
  agents: [],
  costs: { windowMs: 3_600_000, windows: [], series: [] },
  budgets: [],
};

/** Index of the last element with `tsMs <= atMs` in an ascending list, or -1. */
export function lastAtOrBefore(items: readonly { readonly tsMs: number }[], atMs: number): number {
  let lo = 0;
  let hi = items.length - 1;
  if (hi < 0 || items[0]!.tsMs > atMs) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (items[mid]!.tsMs <= atMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
