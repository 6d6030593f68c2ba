/**
 * The recommender's and the node hints' reads (the I/O half of fetch → compute → write). Every SQL
 * statement lives in pipeline/store; this only composes the store's reads into the shapes the pure
 * code takes.
 */
import type { PodEvent } from '../../contracts/pod-event.ts';
import { DEFAULT_COST_LEDGER_JOB_OPTIONS } from '../../pipeline/cost/cost-ledger-job.ts';
import { createLedgerInputs } from '../../pipeline/store/ledger-inputs-store.ts';
import { toPodIntervals } from '../../pipeline/cost/pod-intervals.ts';
import { createCostStore, type PodCost } from '../../pipeline/store/cost-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import {
  readGpuRollups,
  readPodRollups,
  type GpuRollupRow,
  type PodRollupRow,
} from '../../pipeline/store/rollup-store.ts';
import {
  readNodeTelemetry,
  readPodUsage,
  type NodeTelemetry,
  type PodUsage,
} from '../../pipeline/store/usage-profile-store.ts';
import type { ClusterPodInterval } from './workloads.ts';

export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** A node's cost ledger over a range: all its cost, the idle part, and GPU-seconds priced. */
export interface NodeLedger {
  readonly costUsd: number;
  readonly idleCostUsd: number;
  readonly gpuSeconds: number;
}

export interface FleetReads {
  /** The part of `range` the cost ledger has computed: [its first window's start, its last window's end); null when none. */
  ledgerSpan(range: TimeRange): Promise<TimeRange | null>;
  /** Pods holding GPUs at some time in `events`, as intervals clipped to `clip`. */
  intervals(events: TimeRange, clip: TimeRange): Promise<ClusterPodInterval[]>;
  usage(range: TimeRange): Promise<PodUsage[]>;
  nodes(range: TimeRange): Promise<NodeTelemetry[]>;
  /** Ledger windows wholly inside the range only. */
  podCosts(range: TimeRange): Promise<PodCost[]>;
  nodeLedger(range: TimeRange): Promise<Map<string, NodeLedger>>;
  recent(range: TimeRange): Promise<{ gpuRows: GpuRollupRow[]; podRows: PodRollupRow[] }>;
}

export const nodeKey = (cluster: string, node: string): string => `${cluster}/${node}`;

export function createFleetReads(executor: SqlExecutor, database: string): FleetReads {
  const o = DEFAULT_COST_LEDGER_JOB_OPTIONS;
  const ledger = createLedgerInputs(executor, {
    database,
    maxGapMs: o.maxGapMs,
    processSkewMs: o.processSkewMs,
    bridgeMs: o.bridgeMs,
  });
  const costs = createCostStore(executor, { database });
  return {
    async ledgerSpan(range) {
      if (!(range.toMs > range.fromMs)) return null;
      const windows = await costs.windows(range);
      if (windows.length === 0) return null;
      return {
        fromMs: Math.min(...windows.map((w) => w.windowStartMs)),
        toMs: Math.max(...windows.map((w) => w.windowEndMs)),
      };
    },
    async intervals(events, clip) {
      const byCluster = new Map<string, PodEvent[]>();
      for (const e of await ledger.podEvents(events))
        byCluster.set(e.cluster, [...(byCluster.get(e.cluster) ?? []), e]);
      return [...byCluster].flatMap(([cluster, list]) =>
        toPodIntervals(list, { windowStartMs: clip.fromMs, windowEndMs: clip.toMs }).map((i) => ({ ...i, cluster })),
      );
    },
    usage: (range) => readPodUsage(executor, database, range),
    nodes: (range) => readNodeTelemetry(executor, database, range),
    podCosts: (range) => (range.toMs > range.fromMs ? costs.podCosts(range) : Promise.resolve([])),
    async nodeLedger(range) {
      const out = new Map<string, NodeLedger>();
      if (!(range.toMs > range.fromMs)) return out;
      for (const g of await costs.aggregate(range, ['cluster', 'node'])) {
        const k = nodeKey(g.keys[0] ?? '', g.keys[1] ?? '');
        const prev = out.get(k) ?? { costUsd: 0, idleCostUsd: 0, gpuSeconds: 0 };
        out.set(k, {
          costUsd: prev.costUsd + g.costUsd,
          idleCostUsd: prev.idleCostUsd + (g.bucket === 'idle' ? g.costUsd : 0),
          gpuSeconds: prev.gpuSeconds + g.allocatedGpuSeconds,
        });
      }
      return out;
    },
    async recent(range) {
      const q = { database, resolution: '1m' as const, ...range };
      return { gpuRows: await readGpuRollups(executor, q), podRows: await readPodRollups(executor, q) };
    },
  };
}
