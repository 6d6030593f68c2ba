/**
 * The ledger of one window for every cluster (pure): the window's pod lifecycle events, GPU inventory
 * and usage (store/ledger-inputs-store.ts) → per cluster its pod intervals (pod-intervals.ts), priced nodes
 * (gpu-inventory.ts), used GPU-seconds (pod-usage.ts) and ledger rows (compute-cost-ledger.ts). The
 * cost ledger job writes the result; budgets price the open hour with it (budget-spend.ts).
 */
import type { PodEvent } from '../../contracts/pod-event.ts';
import { computeCostLedger, type CostLedgerResult } from './compute-cost-ledger.ts';
import type { CostConfig } from './cost-config.ts';
import { toGpuNodes } from './gpu-inventory.ts';
import type { InventoryGpu, PodUsage } from '../store/ledger-inputs-store.ts';
import { toPodIntervals } from './pod-intervals.ts';
import { toUsedGpuSeconds } from './pod-usage.ts';
import type { PriceLookup } from './price-lookup.ts';

export interface WindowInputs {
  readonly gpus: readonly InventoryGpu[];
  readonly usage: readonly PodUsage[];
  /** Pod events by cluster. */
  readonly events: ReadonlyMap<string, readonly PodEvent[]>;
  /** Clusters computed even when nothing is there now (an earlier computation must be replaced). */
  readonly keepClusters: ReadonlySet<string>;
}

export interface ClusterLedger {
  readonly cluster: string;
  readonly result: CostLedgerResult;
  /** Inventory, usage and ledger problems together. */
  readonly problems: readonly string[];
}

export function computeWindowLedgers(
  window: { readonly windowStartMs: number; readonly windowEndMs: number },
  inputs: WindowInputs,
  deps: { readonly prices: PriceLookup; readonly cost: CostConfig; readonly edgeToleranceMs: number },
): ClusterLedger[] {
  const { windowStartMs, windowEndMs } = window;
  const clusters = new Set([...inputs.gpus.map((g) => g.cluster), ...inputs.events.keys(), ...inputs.keepClusters]);
  const out: ClusterLedger[] = [];
  for (const cluster of [...clusters].sort()) {
    const pods = toPodIntervals(inputs.events.get(cluster) ?? [], { windowStartMs, windowEndMs });
    const inventory = toGpuNodes({
      windowStartMs,
      windowEndMs,
      gpus: inputs.gpus.filter((g) => g.cluster === cluster),
      pods,
      pricing: deps.cost.nodePricing,
      edgeToleranceMs: deps.edgeToleranceMs,
    });
    // Nothing there now and nothing computed before (a cluster whose pods all ended earlier): skip.
    if (inventory.nodes.length === 0 && pods.length === 0 && !inputs.keepClusters.has(cluster)) continue;
    const used = toUsedGpuSeconds(
      inputs.usage.filter((u) => u.cluster === cluster),
      deps.prices,
    );
    const result = computeCostLedger(
      {
        cluster,
        windowStartMs,
        windowEndMs,
        nodes: inventory.nodes,
        pods,
        usedGpuSecondsByPod: used.byPod,
        prices: deps.prices,
      },
      deps.cost.ledger,
    );
    out.push({ cluster, result, problems: [...inventory.problems, ...used.problems, ...result.problems] });
  }
  return out;
}

/** Pod events grouped by cluster. */
export function eventsByCluster(events: readonly PodEvent[]): Map<string, PodEvent[]> {
  const byCluster = new Map<string, PodEvent[]>();
  for (const e of events) {
    const list = byCluster.get(e.cluster);
    if (list) list.push(e);
    else byCluster.set(e.cluster, [e]);
  }
  return byCluster;
}
