/**
 * The recommender's verdict for one simulated pod whose usage is borrowed from another trace's series
 * (the pod's gentd26 series). Calls the recommenders themselves (../recommender/idle-reclaim.ts,
 * right-size.ts, share.ts; at most one applies: an idle workload gets only idle-reclaim, right-size
 * takes k ≥ 2 whole GPUs, share one GPU or a fraction) on a one-pod workload.
 *
 * Units. The series was measured on another GPU (gentd26 names none): its utilization is a share of
 * that GPU's time, its memory a share of that GPU's memory (bytes / `sourceGpuMemoryBytes`). The pod
 * is taken to fill what it requested as the series fills its GPU: per device, utilization u × s and
 * memory f × s of the pod's GPU, s = its gpu_milli / 1000 (1 for whole GPUs). A pod that ran within a
 * 470-milli share (openb's fractions isolate compute and memory) cannot have used 27 % of the GPU or
 * 40 GiB; judging the series' bytes against a GPU of another size (the old 32 GiB, capped at it, so
 * that 64 of the 72 series needed more than a whole GPU after the 5 % memory headroom) is what made the
 * recommender silent. p95/p99/max and the memory peak are over the whole series; each device of a
 * multi-GPU pod is assumed to follow it; observed hours = the series' own span.
 */
import type { PodRequest } from '../cluster.ts';
import { DEFAULT_RECOMMENDER_CONFIG } from '../recommender/recommender-config.ts';
import { idleReclaim } from '../recommender/idle-reclaim.ts';
import { rightSize } from '../recommender/right-size.ts';
import { share } from '../recommender/share.ts';
import type { RecommenderInput, WorkloadObservation } from '../recommender/types.ts';
import type { RecommendationKind } from '../../contracts/recommendation.ts';

export interface UsageProfile {
  /** Utilization samples (% of the source GPU) and memory samples (bytes on it). */
  readonly utilizationPct: readonly number[];
  readonly memoryBytes: readonly number[];
  /** Hours the series covers. */
  readonly hours: number;
}

export interface AppliedRecommendation {
  readonly kind: RecommendationKind;
  /** The pod with the recommended request (idle-reclaim: no GPU). */
  readonly pod: PodRequest;
}

/** Element ⌊q·n⌋ of the sorted values (the pipeline's quantileExact). */
const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

const RECOMMENDERS = [idleReclaim, rightSize, share];

/** What the recommender would have the pod request, or null when it recommends nothing. */
export function recommendedRequest(
  pod: PodRequest,
  usage: UsageProfile,
  sourceGpuMemoryBytes: number,
): AppliedRecommendation | null {
  if (pod.gpuCount === 0 || usage.utilizationPct.length === 0) return null;
  const k = pod.gpuCount;
  const whole = pod.gpuMilli >= 1000;
  const held = whole ? 1 : pod.gpuMilli / 1000;
  const util = usage.utilizationPct.map((u) => Math.min(100, Math.max(0, u)) * held).sort((a, b) => a - b);
  const memoryPeak = Math.min(sourceGpuMemoryBytes, Math.max(0, ...usage.memoryBytes)) * held;
  const utilP95 = quantile(util, 0.95);
  const w: WorkloadObservation = {
    cluster: 'sim',
    namespace: 'sim',
    workload: pod.name,
    tenant: 'sim',
    pod: pod.name,
    node: 'sim',
    podUids: [pod.name],
    gpuRequest: whole ? { kind: 'whole', count: k } : { kind: 'fraction', milli: pod.gpuMilli },
    // openb's models have no MIG: shares are gpu_milli. Only ratios to gpuMemoryBytes matter.
    gpuModel: 'V100-32GB',
    reportedModel: 'sim',
    pricingTier: 'on-demand',
    pool: null,
    instanceType: null,
    priceUsdPerGpuHour: 1,
    gpuMemoryBytes: sourceGpuMemoryBytes,
    observedHours: usage.hours,
    allocatedGpuHours: usage.hours * k * held,
    running: true,
    usage: {
      minutes: util.length,
      utilizationP50Pct: quantile(util, 0.5),
      utilizationP95Pct: utilP95,
      utilizationP99Pct: quantile(util, 0.99),
      utilizationMaxPct: util[util.length - 1] ?? 0,
      demandP95Gpus: (k * utilP95) / 100,
      memoryPeakBytes: memoryPeak,
      memoryPeakSumBytes: k * memoryPeak,
      devicesUsed: memoryPeak > 0 || utilP95 > 0 ? k : 0,
    },
  };
  const input = { nowMs: 0, workloads: [w], nodes: [], models: [], config: DEFAULT_RECOMMENDER_CONFIG } as unknown;
  const [candidate] = RECOMMENDERS.flatMap((r) => r.compute(input as RecommenderInput));
  const r = candidate?.recommended.gpuRequest;
  if (!candidate || !r) return null;
  if (r.kind === 'none') return { kind: candidate.kind, pod: { ...pod, gpuCount: 0, gpuMilli: 0 } };
  if (r.kind === 'whole') return { kind: candidate.kind, pod: { ...pod, gpuCount: r.count, gpuMilli: 1000 } };
  if (r.kind === 'fraction') return { kind: candidate.kind, pod: { ...pod, gpuCount: 1, gpuMilli: r.milli } };
  return null;
}
