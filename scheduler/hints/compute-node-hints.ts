/**
 * Node hints (pure): each node of the fleet snapshot (scheduler/recommender/fleet-snapshot.ts) as a
 * NodeHint (contracts/node-hint.ts) — utilization headroom per GPU, fragmentation, cost rate, the
 * firing alerts naming the node, and the open or accepted recommendations about workloads on it.
 */
import type { Alert } from '../../contracts/alert.ts';
import { FragmentationMeasure, type NodeHint } from '../../contracts/node-hint.ts';
import type { Recommendation } from '../../contracts/recommendation.ts';
import type { NodeState } from '../recommender/fleet-snapshot.ts';
import { unusableFreeMilliForShapes, type PodShape } from './fragmentation.ts';

export interface NodeHintInput {
  readonly nowMs: number;
  readonly nodes: readonly NodeState[];
  /** Firing alerts (their labels `cluster`, `node`, `gpu` place them). */
  readonly alerts: readonly Alert[];
  /** Open and accepted recommendations. */
  readonly recommendations: readonly Recommendation[];
  readonly utilizationWindowMs: number;
  readonly staleAfterMs: number;
  readonly shapes?: readonly PodShape[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export const computeNodeHints = (input: NodeHintInput): NodeHint[] =>
  input.nodes.map((n) => {
    const free = n.gpus.map((g) => Math.max(0, 1000 - g.allocatedMilli));
    const freeMilli = free.reduce((s, f) => s + f, 0);
    const unusable = unusableFreeMilliForShapes(free, input.shapes);
    const headrooms = n.gpus.flatMap((g) => (g.utilizationP95Pct === null ? [] : [100 - g.utilizationP95Pct]));
    const price = n.priceUsdPerGpuHour;
    return {
      schemaVersion: 1,
      cluster: n.cluster,
      node: n.node,
      computedAtMs: input.nowMs,
      staleAfterMs: input.staleAfterMs,
      utilizationWindowMs: input.utilizationWindowMs,
      gpuModel: n.gpuModel,
      pricingTier: n.pricingTier,
      gpuCount: n.gpus.length,
      allocatedGpus: round4(n.gpus.reduce((s, g) => s + Math.min(1000, g.allocatedMilli), 0) / 1000),
      freeMilli,
      utilizationHeadroomPct:
        headrooms.length === 0 ? null : round2(headrooms.reduce((s, h) => s + h, 0) / headrooms.length),
      fragmentation: {
        measure: FragmentationMeasure.unusableForCommonShapes,
        unusableFreeMilli: round2(unusable),
        ratio: freeMilli === 0 ? 0 : round4(Math.min(1, unusable / freeMilli)),
      },
      costUsdPerHour: price === null ? null : price * n.gpus.length,
      idleCostUsdPerHour: price === null ? null : (price * freeMilli) / 1000,
      gpus: n.gpus.map((g) => ({
        gpuUuid: g.gpuUuid,
        model: g.model,
        allocatedMilli: Math.min(1000, g.allocatedMilli),
        freeMilli: Math.max(0, 1000 - g.allocatedMilli),
        utilizationAvgPct: g.utilizationAvgPct === null ? null : round2(g.utilizationAvgPct),
        utilizationP95Pct: g.utilizationP95Pct === null ? null : round2(g.utilizationP95Pct),
        utilizationHeadroomPct: g.utilizationP95Pct === null ? null : round2(100 - g.utilizationP95Pct),
        memoryUsedMaxBytes: g.memoryUsedMaxBytes,
        memoryTotalBytes: g.memoryTotalBytes,
        costUsdPerHour: price,
      })),
      activeAnomalies: input.alerts
        .filter(
          (a) =>
            a.status === 'firing' && a.labels['node'] === n.node && (a.labels['cluster'] ?? n.cluster) === n.cluster,
        )
        .map((a) => ({
          alertId: a.id,
          ruleId: a.ruleId,
          severity: a.severity,
          summary: a.summary,
          gpuUuid: a.labels['gpu'] ?? null,
          startsAtMs: a.startsAtMs,
        })),
      pendingRecommendations: input.recommendations
        .filter((r) => r.target.cluster === n.cluster && r.target.node === n.node)
        .flatMap((r) =>
          r.status === 'open' || r.status === 'accepted'
            ? [
                {
                  id: r.id,
                  kind: r.kind,
                  status: r.status,
                  namespace: r.target.namespace,
                  workload: r.target.workload,
                  estimatedMonthlySavingUsd: r.estimatedMonthlySavingUsd,
                },
              ]
            : [],
        ),
    };
  });
