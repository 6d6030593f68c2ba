/**
 * The GPU nodes as they are now (pure): each node's physical GPUs with their recent utilization and
 * memory, the pods running there placed on them (node-occupancy.ts), and the node's catalog price.
 * Consolidation reads it, and so do the node hints (scheduler/hints).
 *
 * - GPUs: the physical GPUs in the recent 1-minute rollups (a MIG instance counts as its parent);
 *   utilization avg and p95 over the minutes' averages of the GPU's own row, memory the largest used
 *   and total seen. A GPU whose row has no utilization (MIG mode under nvidia-smi) has null.
 * - Pods: those running now; their devices from the pod events, else from the GPUs their processes
 *   used in the recent rollups.
 * - Price: the node's tier/pool (cost config) at the catalog price now; null for a model the
 *   catalog lacks (then gpuModel is the reported name).
 */
import type { PricingTier } from '../../contracts/cost-ledger-row.ts';
import { nodePricingFor, type CostConfig } from '../../pipeline/cost/cost-config.ts';
import { requestShare } from '../../pipeline/cost/gpu-share.ts';
import type { PriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { GpuRollupRow, PodRollupRow } from '../../pipeline/store/rollup-store.ts';
import { occupy } from './node-occupancy.ts';
import { quantileExact } from './quantile.ts';
import type { NodePod } from './types.ts';
import type { ClusterPodInterval } from './workloads.ts';

export interface GpuState {
  readonly gpuUuid: string;
  readonly model: string;
  readonly allocatedMilli: number;
  readonly utilizationAvgPct: number | null;
  readonly utilizationP95Pct: number | null;
  readonly memoryUsedMaxBytes: number | null;
  readonly memoryTotalBytes: number | null;
}

export interface NodeState {
  readonly cluster: string;
  readonly node: string;
  /** Canonical catalog id, or the reported name when the catalog lacks the model. */
  readonly gpuModel: string;
  readonly pricingTier: PricingTier;
  readonly priceUsdPerGpuHour: number | null;
  readonly gpus: readonly GpuState[];
  readonly pods: readonly NodePod[];
  /** Pods that did not fit on the node's GPUs (over-subscribed, or devices unknown and no room). */
  readonly unplaced: readonly string[];
}

export interface SnapshotInput {
  readonly nowMs: number;
  readonly gpuRows: readonly GpuRollupRow[];
  readonly podRows: readonly PodRollupRow[];
  /** Pods running now. */
  readonly running: readonly ClusterPodInterval[];
  readonly prices: PriceLookup;
  readonly pricing: CostConfig['nodePricing'];
}

const key = (cluster: string, node: string) => `${cluster}/${node}`;
const maxOf = (xs: readonly (number | null)[]): number | null =>
  xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);

export const toNodeStates = (input: SnapshotInput): NodeState[] => {
  const physical = new Map<string, string>();
  for (const r of input.gpuRows)
    physical.set(r.gpuUuid, r.kind === 'mig' && r.parentGpuUuid !== '' ? r.parentGpuUuid : r.gpuUuid);
  const toPhysical = (id: string) => physical.get(id) ?? id;
  const byNode = new Map<string, GpuRollupRow[]>();
  for (const r of input.gpuRows) byNode.set(key(r.cluster, r.node), [...(byNode.get(key(r.cluster, r.node)) ?? []), r]);
  const boundGpus = new Map<string, Set<string>>();
  for (const p of input.podRows)
    boundGpus.set(
      key(p.cluster, p.podUid),
      (boundGpus.get(key(p.cluster, p.podUid)) ?? new Set()).add(toPhysical(p.gpuUuid)),
    );

  return [...byNode]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, rows]): NodeState => {
      const { cluster, node } = rows[0]!;
      const uuids = [...new Set(rows.map((r) => toPhysical(r.gpuUuid)))].sort();
      const own = (uuid: string) => rows.filter((r) => r.gpuUuid === uuid);
      const reported = own(uuids[0]!)[0]?.model ?? rows[0]!.model;
      const pricing = nodePricingFor(input.pricing, node);
      let [gpuModel, price]: [string, number | null] = [reported, null];
      try {
        gpuModel = input.prices.canonicalModel(reported);
        price = input.prices.priceAt(
          { gpuModel, tier: pricing.pricingTier, pool: pricing.pool, instanceType: pricing.instanceType },
          input.nowMs,
        ).usdPerGpuHour;
      } catch {
        // Unknown model or no price: the node is shown unpriced.
      }
      const pods = input.running.filter(
        (p) => p.cluster === cluster && p.node === node && p.gpuRequest.kind !== 'none',
      );
      const shareOf = (p: ClusterPodInterval) => {
        try {
          return requestShare(p.gpuRequest, gpuModel);
        } catch {
          return 0;
        }
      };
      const occupancy = occupy(
        uuids,
        pods.map((p) => ({
          podUid: p.podUid,
          gpuRequest: p.gpuRequest,
          share: shareOf(p),
          gpuUuids:
            p.gpuUuids.length > 0
              ? [...new Set(p.gpuUuids.map(toPhysical))]
              : [...(boundGpus.get(key(cluster, p.podUid)) ?? [])],
        })),
      );
      return {
        cluster,
        node,
        gpuModel,
        pricingTier: pricing.pricingTier,
        priceUsdPerGpuHour: price,
        gpus: uuids.map((gpuUuid, i) => {
          const mine = own(gpuUuid);
          const utils = mine.map((r) => r.utilAvgPct).filter((u): u is number => u !== null);
          return {
            gpuUuid,
            model: mine[0]?.model ?? reported,
            allocatedMilli: occupancy.allocatedMilli[i] ?? 0,
            utilizationAvgPct: utils.length === 0 ? null : utils.reduce((s, u) => s + u, 0) / utils.length,
            utilizationP95Pct: quantileExact(utils, 0.95),
            memoryUsedMaxBytes: maxOf(mine.map((r) => r.memUsedMaxBytes)),
            memoryTotalBytes: maxOf(mine.map((r) => r.memTotalMaxBytes)),
          };
        }),
        pods: pods.map((p) => ({
          podUid: p.podUid,
          namespace: p.namespace,
          pod: p.pod,
          gpuRequest: p.gpuRequest,
          share: shareOf(p),
          movable: p.gpuRequest.kind !== 'mig',
        })),
        unplaced: occupancy.unplaced,
      };
    });
};
