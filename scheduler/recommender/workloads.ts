/**
 * Pods → workloads in their current shape (pure): the observation each recommender reads.
 *
 * - Workload: workload-key.ts; its current shape is the request of its latest-started pod, and only
 *   the pods with that request count (a workload that was just changed is judged on its new pods).
 * - observedHours: the union of those pods' allocation intervals within the lookback.
 * - allocatedGpuHours and tenant: the cost ledger's rows of those pods (tenant: the one charged most).
 * - Usage: the pods' 1-minute rollups; across pods the largest percentile and peak (the busiest
 *   replica decides). Pods that ran no GPU process count as 0% busy with no memory over their node's
 *   telemetry minutes.
 * - Price: the node's tier/pool (cost config) at the catalog's price now.
 * A workload without ledger rows (not priced yet) or with a GPU model the catalog lacks is skipped,
 * with a problem.
 */
import type { PodInterval } from '../../pipeline/cost/pod-intervals.ts';
import { nodePricingFor, type CostConfig } from '../../pipeline/cost/cost-config.ts';
import type { PriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { PodCost } from '../../pipeline/store/cost-store.ts';
import type { NodeTelemetry, PodUsage } from '../../pipeline/store/usage-profile-store.ts';
import type { UsageSummary, WorkloadObservation } from './types.ts';
import { gpuSpec } from './gpu-specs.ts';
import { workloadName } from './workload-key.ts';

/** A pod interval with its cluster (toPodIntervals works per cluster). */
export type ClusterPodInterval = PodInterval & { readonly cluster: string };

export interface WorkloadInputs {
  readonly nowMs: number;
  /** Pod intervals clipped to the lookback [start, nowMs). */
  readonly intervals: readonly ClusterPodInterval[];
  readonly usage: readonly PodUsage[];
  readonly costs: readonly PodCost[];
  readonly nodes: readonly NodeTelemetry[];
  readonly prices: PriceLookup;
  readonly pricing: CostConfig['nodePricing'];
}

const HOUR_MS = 3_600_000;
const sameRequest = (a: ClusterPodInterval, b: ClusterPodInterval) =>
  JSON.stringify(a.gpuRequest) === JSON.stringify(b.gpuRequest);

/** Length of the union of [start, end) intervals, in ms. */
export const unionMs = (spans: readonly (readonly [number, number])[]): number => {
  let [total, reach] = [0, -Infinity];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const from = Math.max(start, reach);
    if (end > from) total += end - from;
    reach = Math.max(reach, end);
  }
  return total;
};

const maxOrNull = (xs: readonly (number | null)[]): number | null =>
  xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);

/** The pods' usage combined; pods without rollups ran no process: 0% over their node's telemetry minutes. */
export const combineUsage = (rows: readonly PodUsage[], idleMinutes: number): UsageSummary => {
  if (rows.length === 0)
    return {
      minutes: idleMinutes,
      utilizationP50Pct: 0,
      utilizationP95Pct: 0,
      utilizationP99Pct: 0,
      utilizationMaxPct: 0,
      demandP95Gpus: 0,
      memoryPeakBytes: 0,
      memoryPeakSumBytes: 0,
      devicesUsed: 0,
    };
  return {
    minutes: rows.reduce((s, r) => s + r.minutes, 0),
    utilizationP50Pct: maxOrNull(rows.map((r) => r.utilizationP50Pct)),
    utilizationP95Pct: maxOrNull(rows.map((r) => r.utilizationP95Pct)),
    utilizationP99Pct: maxOrNull(rows.map((r) => r.utilizationP99Pct)),
    utilizationMaxPct: maxOrNull(rows.map((r) => r.utilizationMaxPct)),
    demandP95Gpus: maxOrNull(rows.map((r) => r.demandP95Gpus)),
    memoryPeakBytes: Math.max(...rows.map((r) => r.memoryPeakBytes)),
    memoryPeakSumBytes: Math.max(...rows.map((r) => r.memoryPeakSumBytes)),
    devicesUsed: Math.max(...rows.map((r) => r.devicesUsed)),
  };
};

export const toWorkloads = (input: WorkloadInputs): { workloads: WorkloadObservation[]; problems: string[] } => {
  const problems: string[] = [];
  const usageByPod = new Map(input.usage.map((u) => [`${u.cluster}/${u.podUid}`, u]));
  const nodeByKey = new Map(input.nodes.map((n) => [`${n.cluster}/${n.node}`, n]));
  const costsByPod = new Map<string, PodCost[]>();
  for (const c of input.costs)
    costsByPod.set(`${c.cluster}/${c.podUid}`, [...(costsByPod.get(`${c.cluster}/${c.podUid}`) ?? []), c]);

  const groups = new Map<string, ClusterPodInterval[]>();
  for (const i of input.intervals) {
    const key = JSON.stringify([i.cluster, i.namespace, workloadName(i.pod, i.owner, i.labels)]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const workloads: WorkloadObservation[] = [];
  for (const [key, all] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [cluster, namespace, workload] = JSON.parse(key) as [string, string, string];
    const latest = all.reduce((a, b) =>
      b.startMs > a.startMs || (b.startMs === a.startMs && b.podUid > a.podUid) ? b : a,
    );
    if (latest.gpuRequest.kind === 'none') continue;
    const pods = all.filter((p) => sameRequest(p, latest));
    const costs = pods.flatMap((p) => costsByPod.get(`${cluster}/${p.podUid}`) ?? []);
    const node = nodeByKey.get(`${cluster}/${latest.node}`);
    const where = `${cluster}/${namespace}/${workload}`;
    if (costs.length === 0) {
      problems.push(`${where}: no cost ledger rows in the lookback (ledger not computed yet?)`);
      continue;
    }
    if (node === undefined) {
      problems.push(`${where}: node ${latest.node} reported no GPU telemetry in the lookback`);
      continue;
    }
    const pricing = nodePricingFor(input.pricing, latest.node);
    let gpuModel: string;
    let priceUsdPerGpuHour: number;
    try {
      gpuModel = input.prices.canonicalModel(node.model);
      priceUsdPerGpuHour = input.prices.priceAt(
        { gpuModel, tier: pricing.pricingTier, pool: pricing.pool, instanceType: pricing.instanceType },
        input.nowMs,
      ).usdPerGpuHour;
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    const observedMs = unionMs(pods.map((p) => [p.startMs, p.endMs] as const));
    const tenantCost = new Map<string, number>();
    for (const c of costs.filter((c) => c.podUid === latest.podUid))
      tenantCost.set(c.tenant, (tenantCost.get(c.tenant) ?? 0) + c.costUsd);
    const tenant = [...tenantCost].sort((a, b) => b[1] - a[1])[0]?.[0] ?? costs[0]!.tenant;
    const rows = pods
      .map((p) => usageByPod.get(`${cluster}/${p.podUid}`))
      .filter((u): u is PodUsage => u !== undefined);
    workloads.push({
      cluster,
      namespace,
      workload,
      tenant,
      pod: latest.pod,
      node: latest.node,
      podUids: pods.map((p) => p.podUid),
      gpuRequest: latest.gpuRequest,
      gpuModel,
      reportedModel: node.model,
      pricingTier: pricing.pricingTier,
      pool: pricing.pool,
      instanceType: pricing.instanceType,
      priceUsdPerGpuHour,
      gpuMemoryBytes: node.memoryTotalBytes ?? gpuSpec(gpuModel)?.memoryBytes ?? null,
      observedHours: observedMs / HOUR_MS,
      allocatedGpuHours: costs.reduce((s, c) => s + c.allocatedGpuSeconds, 0) / 3600,
      running: pods.some((p) => p.endMs >= input.nowMs),
      usage: combineUsage(rows, Math.min(node.minutes, Math.round(observedMs / 60_000))),
    });
  }
  return { workloads, problems };
};
