/**
 * The GPU inventory of one cluster's window (pure): which nodes, how many GPUs of which model, how
 * priced, and from/until when they existed.
 *
 * - GPUs: the distinct physical GPUs a node reported in the window (MIG instances count as their
 *   parent). A node reporting several models is billed as the model most of its GPUs have (ties:
 *   alphabetical first), and that is reported as a problem.
 * - Pricing: nodePricingFor (the cost config's first matching rule, else the default tier).
 * - Active span: the whole window, except that a node whose first sample comes more than
 *   `edgeToleranceMs` after the window start starts at that sample (it appeared mid-window:
 *   autoscaling), and one whose last sample is more than `edgeToleranceMs` before the window end ends
 *   there. A GPU that also reported shortly before the window (store/ledger-inputs-store.ts, `bridgeMs`) did not
 *   appear mid-window, and one that reported again after it did not vanish: its node keeps that edge
 *   however long its agent was silent (down, restarting, cut off), so no idle time is lost. Pods
 *   running on the node stretch the span back over their intervals: a pod cannot hold GPUs on a node
 *   that does not exist, so a late or silent agent never drops allocated time.
 */
import type { GpuNode } from './compute-cost-ledger.ts';
import { nodePricingFor, type CostConfig } from './cost-config.ts';
import type { InventoryGpu } from '../store/ledger-inputs-store.ts';
import type { PodInterval } from './pod-intervals.ts';

export interface InventoryInput {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** One cluster's GPUs. */
  readonly gpus: readonly InventoryGpu[];
  /** The cluster's pod intervals, clipped to the window. */
  readonly pods: readonly PodInterval[];
  readonly pricing: CostConfig['nodePricing'];
  readonly edgeToleranceMs: number;
}

export const toGpuNodes = (input: InventoryInput): { nodes: GpuNode[]; problems: string[] } => {
  const byNode = new Map<string, InventoryGpu[]>();
  for (const g of input.gpus) {
    const list = byNode.get(g.node);
    if (list) list.push(g);
    else byNode.set(g.node, [g]);
  }
  const problems: string[] = [];
  const nodes: GpuNode[] = [];
  for (const [node, gpus] of [...byNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const models = new Map<string, number>();
    for (const g of gpus) models.set(g.model, (models.get(g.model) ?? 0) + 1);
    const ranked = [...models].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
    const gpuModel = ranked[0]?.[0] ?? '';
    if (ranked.length > 1)
      problems.push(
        `node '${node}' reports GPUs of several models (${ranked.map(([m, k]) => `${m} ×${k}`).join(', ')}); all are billed as ${gpuModel}`,
      );

    // A GPU without samples inside is listed only when seen on both sides, so these are defined whenever they are needed.
    const first = Math.min(...gpus.map((g) => g.firstSeenMs ?? Infinity));
    const last = Math.max(...gpus.map((g) => g.lastSeenMs ?? -Infinity));
    const [before, after] = [gpus.some((g) => g.seenBefore), gpus.some((g) => g.seenAfter)];
    let fromMs = !before && first - input.windowStartMs > input.edgeToleranceMs ? first : input.windowStartMs;
    let toMs = !after && input.windowEndMs - last > input.edgeToleranceMs ? last : input.windowEndMs;
    for (const p of input.pods) {
      if (p.node !== node) continue;
      fromMs = Math.min(fromMs, p.startMs);
      toMs = Math.max(toMs, p.endMs);
    }
    const pricing = nodePricingFor(input.pricing, node);
    nodes.push({
      node,
      gpuModel,
      gpuCount: gpus.length,
      pricingTier: pricing.pricingTier,
      pool: pricing.pool,
      instanceType: pricing.instanceType,
      activeFromMs: fromMs,
      activeToMs: toMs,
    });
  }
  return { nodes, problems };
};
