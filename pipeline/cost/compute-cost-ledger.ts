/**
 * The cost ledger of one window: pure (no clock, no I/O), exact (event times, not samples).
 *
 * For every node of the inventory: its GPUs × active time × the price in force (the catalog's
 * effective-dated versions may change it mid-window) is the node's cost; allocateNode splits that
 * between the pods that held GPUs (workload rows, one per pod) and the time nobody held (idle).
 * Then shared namespaces and idle are spread as configured (cost-sharing.ts).
 *
 * Invariant (tested): Σ costUsd over the rows = Σ over priced nodes of gpuCount × ∫ price dt
 * (`fleetCostUsd`), and every figure is ≥ 0.
 *
 * Usage gives efficiency, not who pays: usedGpuSeconds (from utilization samples, computed by the
 * caller for the same window) is clamped to the allocation; wasteUsd = costUsd × (1 − used/allocated).
 * A pod with no usage figure is taken as unused (waste = its whole cost).
 *
 * Bad input never fails the whole window: a pod on a node missing from the inventory, a node whose
 * model/tier has no price, or an unknown MIG profile is reported in `problems`; such a pod's time is
 * not billed to it (on a known node it shows as idle), such a node is left out of rows and fleet cost.
 */
import { CostBucket, type CostLedgerRow, type PricingTier } from '../../contracts/cost-ledger-row.ts';
import { DEFAULT_SHARING, idleRow, shareIdle, spreadSharedNamespaces, type SharingOptions } from './cost-sharing.ts';
import { requestShare } from './gpu-share.ts';
import { allocateNode, type NodePod } from './node-allocation.ts';
import type { PodInterval } from './pod-intervals.ts';
import type { PriceLookup } from './price-lookup.ts';
import { resolveAttribution, type TenancyConfig } from './tenancy.ts';

/** One GPU node of the inventory. */
export interface GpuNode {
  readonly node: string;
  /** Model name as the node reports it; resolved through the catalog's aliases. */
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly pool?: string | null;
  readonly instanceType?: string | null;
  readonly pricingTier: PricingTier;
  /** The node existed only from/until these times (autoscaling); default: the whole window. */
  readonly activeFromMs?: number | null;
  readonly activeToMs?: number | null;
}

export interface CostLedgerInput {
  readonly cluster: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly nodes: readonly GpuNode[];
  /** Already clipped to the window (toPodIntervals). */
  readonly pods: readonly PodInterval[];
  /** podUid → GPU-seconds actually used in the window. */
  readonly usedGpuSecondsByPod: ReadonlyMap<string, number>;
  readonly prices: PriceLookup;
}

export interface CostLedgerOptions extends Partial<SharingOptions> {
  readonly tenancy?: TenancyConfig;
}

export interface CostLedgerResult {
  readonly rows: CostLedgerRow[];
  /** Σ over priced nodes of gpuCount × ∫ price dt over the window. */
  readonly fleetCostUsd: number;
  readonly problems: string[];
}

export const computeCostLedger = (input: CostLedgerInput, options: CostLedgerOptions = {}): CostLedgerResult => {
  const sharing: SharingOptions = { ...DEFAULT_SHARING, ...options };
  const tenancy = options.tenancy ?? {};
  const problems: string[] = [];
  const workload: CostLedgerRow[] = [];
  const idle: CostLedgerRow[] = [];
  let fleetCostUsd = 0;

  const podsByNode = new Map<string, PodInterval[]>();
  for (const p of input.pods) podsByNode.set(p.node, [...(podsByNode.get(p.node) ?? []), p]);
  const known = new Set(input.nodes.map((n) => n.node));
  for (const [node, pods] of podsByNode) {
    if (!known.has(node))
      problems.push(
        `node '${node}' is not in the GPU inventory; ${pods.length} pod(s) on it are not billed (${pods.map((p) => p.podUid).join(', ')})`,
      );
  }

  for (const node of input.nodes) {
    const fromMs = Math.max(input.windowStartMs, node.activeFromMs ?? -Infinity);
    const toMs = Math.min(input.windowEndMs, node.activeToMs ?? Infinity);
    if (!(toMs > fromMs) || node.gpuCount <= 0) continue;
    let model: string;
    let segments;
    try {
      model = input.prices.canonicalModel(node.gpuModel);
      segments = input.prices.segments(
        { gpuModel: model, tier: node.pricingTier, pool: node.pool ?? null, instanceType: node.instanceType ?? null },
        fromMs,
        toMs,
      );
    } catch (error) {
      problems.push(`node '${node.node}' is left out of the ledger: ${(error as Error).message}`);
      continue;
    }
    const intervals = podsByNode.get(node.node) ?? [];
    const nodePods: NodePod[] = [];
    for (const p of intervals) {
      let share = 0;
      try {
        share = requestShare(p.gpuRequest, model);
      } catch (error) {
        problems.push(
          `pod ${p.namespace}/${p.pod} (${p.podUid}) on node '${node.node}': ${(error as Error).message}; its time counts as idle`,
        );
      }
      const devices = p.gpuUuids.filter((u) => u.startsWith('GPU-'));
      // Device-level over-subscription checks need every device of the pod: k whole GPUs with k
      // `GPU-` UUIDs, or a fraction with one. Anything else (MIG, partial lists) is node-level.
      const pinned =
        (p.gpuRequest.kind === 'whole' && devices.length === p.gpuRequest.count) ||
        (p.gpuRequest.kind === 'fraction' && devices.length === 1);
      nodePods.push({
        podUid: p.podUid,
        startMs: Math.max(p.startMs, fromMs),
        endMs: Math.min(p.endMs, toMs),
        share,
        devices: pinned ? devices : [],
      });
    }
    const allocation = allocateNode(node.gpuCount, segments, nodePods);
    fleetCostUsd += allocation.capacityCostUsd;
    const base = {
      windowStartMs: input.windowStartMs,
      windowEndMs: input.windowEndMs,
      cluster: input.cluster,
      node: node.node,
      gpuModel: model,
      pricingTier: node.pricingTier,
    };
    for (const p of intervals) {
      const charge = allocation.perPod.get(p.podUid);
      if (!charge || !(charge.allocatedGpuSeconds > 0)) continue;
      const who = resolveAttribution(p.namespace, p.labels, p.owner, tenancy);
      const used = Math.min(Math.max(0, input.usedGpuSecondsByPod.get(p.podUid) ?? 0), charge.allocatedGpuSeconds);
      workload.push({
        schemaVersion: 1,
        ...base,
        bucket: CostBucket.workload,
        namespace: p.namespace,
        pod: p.pod,
        podUid: p.podUid,
        ...who,
        labels: p.labels,
        allocatedGpuSeconds: charge.allocatedGpuSeconds,
        usedGpuSeconds: used,
        priceUsdPerGpuHour: charge.costUsd / (charge.allocatedGpuSeconds / 3600),
        costUsd: charge.costUsd,
        wasteUsd: Math.max(0, charge.costUsd * (1 - used / charge.allocatedGpuSeconds)),
      });
    }
    if (allocation.idleGpuSeconds > 0) idle.push(idleRow(base, allocation.idleGpuSeconds, allocation.idleCostUsd));
  }

  const workloadRows = spreadSharedNamespaces(workload, sharing);
  return { rows: [...workloadRows, ...shareIdle(workloadRows, idle, sharing)], fleetCostUsd, problems };
};
