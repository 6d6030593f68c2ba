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
 *   there. Pods running on the node stretch the span back over their intervals: a pod cannot hold
 *   GPUs on a node that does not exist, so a late or silent agent never drops allocated time.
 */
import type { GpuNode } from './compute-cost-ledger.ts';
import { nodePricingFor, type CostConfig } from './cost-config.ts';
import type { InventoryGpu } from './ledger-inputs.ts';
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
    if (ranked.length > 1) problems.push(`node '${node}' reports GPUs of several models (${ranked.map(([m, k]) => `${m} ×${k}`).join(', ')}); all are billed as ${gpuModel}`);

    const first = Math.min(...gpus.map((g) => g.firstSeenMs));
    const last = Math.max(...gpus.map((g) => g.lastSeenMs));
    let fromMs = first - input.windowStartMs > input.edgeToleranceMs ? first : input.windowStartMs;
    let toMs = input.windowEndMs - last > input.edgeToleranceMs ? last : input.windowEndMs;
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
