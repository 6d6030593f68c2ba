/** Pieces every workload recommender builds its candidate from (pure). */
import type { GpuRequest } from '../../contracts/pod-event.ts';
import type { GpuShape, RecommendationTarget } from '../../contracts/recommendation.ts';
import type { RecommenderConfig } from './recommender-config.ts';
import type { WorkloadObservation } from './types.ts';

export const workloadTarget = (w: WorkloadObservation): RecommendationTarget => ({
  cluster: w.cluster,
  node: w.node,
  namespace: w.namespace,
  workload: w.workload,
  pod: w.pod,
  tenant: w.tenant,
});

export const shapeOf = (gpuModel: string, gpuRequest: GpuRequest): GpuShape => ({ gpuModel, gpuRequest });

/** The evidence every workload recommendation carries (units in the keys). */
export const usageEvidence = (w: WorkloadObservation): Record<string, number | string> => {
  const u = w.usage;
  const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
  const e: Record<string, number | string> = {
    hoursObserved: round(w.observedHours, 3),
    minutesObserved: u.minutes,
    allocatedGpuHours: round(w.allocatedGpuHours, 3),
    priceUsdPerGpuHour: w.priceUsdPerGpuHour,
    memoryPeakBytes: u.memoryPeakBytes,
    devicesUsed: u.devicesUsed,
    pods: w.podUids.length,
  };
  if (u.utilizationP95Pct !== null) {
    e['utilizationP50Pct'] = round(u.utilizationP50Pct ?? 0);
    e['utilizationP95Pct'] = round(u.utilizationP95Pct);
    e['utilizationP99Pct'] = round(u.utilizationP99Pct ?? 0);
    e['utilizationMaxPct'] = round(u.utilizationMaxPct ?? 0);
  }
  return e;
};

/** A workload too idle for anything but idle-reclaim, or too briefly seen for anything. */
export const isIdle = (w: WorkloadObservation, c: RecommenderConfig): boolean =>
  w.usage.utilizationP99Pct !== null && w.usage.utilizationP99Pct <= c.idleUtilizationPct;

export const observedEnough = (w: WorkloadObservation, c: RecommenderConfig): boolean =>
  w.observedHours >= c.minObservedHours && w.running;

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
export const pct = (x: number): string => `${Math.round(x * 10) / 10}%`;
