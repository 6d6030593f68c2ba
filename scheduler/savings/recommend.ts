/**
 * The recommender's right-size and share verdicts for one simulated pod, from a usage series (the
 * pod's gentd26 series): p95 and peak over the whole series, each of a multi-GPU pod's devices assumed
 * to follow it. Calls the recommenders themselves (../recommender/right-size.ts, share.ts) on a
 * one-pod workload; returns the pod with the recommended request, or null when none is made.
 */
import type { PodRequest } from '../cluster.ts';
import { DEFAULT_RECOMMENDER_CONFIG } from '../recommender/recommender-config.ts';
import { rightSize } from '../recommender/right-size.ts';
import { share } from '../recommender/share.ts';
import type { RecommenderInput, WorkloadObservation } from '../recommender/types.ts';

export interface UsageProfile {
  /** Utilization samples (% of one GPU) and memory samples (bytes). */
  readonly utilizationPct: readonly number[];
  readonly memoryBytes: readonly number[];
  readonly hours: number;
}

const p95 = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0;
};

/** The pod with the recommended request, or null. `gpuMemoryBytes`: memory of one GPU it may get. */
export function recommendedRequest(pod: PodRequest, usage: UsageProfile, gpuMemoryBytes: number): PodRequest | null {
  if (pod.gpuCount === 0 || usage.utilizationPct.length === 0) return null;
  const k = pod.gpuCount;
  const utilP95 = p95(usage.utilizationPct);
  const memoryPeak = Math.min(gpuMemoryBytes, Math.max(0, ...usage.memoryBytes));
  const whole = pod.gpuMilli >= 1000;
  const w: WorkloadObservation = {
    cluster: 'sim',
    namespace: 'sim',
    workload: pod.name,
    tenant: 'sim',
    pod: pod.name,
    node: 'sim',
    podUids: [pod.name],
    gpuRequest: whole ? { kind: 'whole', count: k } : { kind: 'fraction', milli: pod.gpuMilli },
    gpuModel: 'V100-32GB',
    reportedModel: 'sim',
    pricingTier: 'on-demand',
    pool: null,
    instanceType: null,
    priceUsdPerGpuHour: 1,
    gpuMemoryBytes,
    observedHours: usage.hours,
    allocatedGpuHours: usage.hours * k * (pod.gpuMilli / 1000),
    running: true,
    usage: {
      minutes: usage.utilizationPct.length,
      utilizationP50Pct: null,
      utilizationP95Pct: utilP95,
      utilizationP99Pct: Math.max(...usage.utilizationPct),
      utilizationMaxPct: Math.max(...usage.utilizationPct),
      demandP95Gpus: (k * utilP95) / 100,
      memoryPeakBytes: memoryPeak,
      memoryPeakSumBytes: k * memoryPeak,
      devicesUsed: k,
    },
  };
  const input = { nowMs: 0, workloads: [w], nodes: [], models: [], config: DEFAULT_RECOMMENDER_CONFIG } as unknown;
  const [candidate] = [...rightSize.compute(input as RecommenderInput), ...share.compute(input as RecommenderInput)];
  const r = candidate?.recommended.gpuRequest;
  if (r?.kind === 'whole') return { ...pod, gpuCount: r.count, gpuMilli: 1000 };
  if (r?.kind === 'fraction') return { ...pod, gpuCount: 1, gpuMilli: r.milli };
  return null;
}
