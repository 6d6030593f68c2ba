/** Thresholds of the recommenders (docs/recommender.md explains each). Pure data with defaults. */
export interface RecommenderConfig {
  /** How far back the recommender looks. */
  readonly lookbackMs: number;
  /** A recommended shape must carry the observed p95 at no more than this utilization. */
  readonly targetUtilizationPct: number;
  /** Memory a recommended shape must hold: the observed peak × (1 + this). */
  readonly memoryHeadroom: number;
  /** Idle: p99 utilization at or below this … */
  readonly idleUtilizationPct: number;
  /** … over at least this many observed hours. */
  readonly idleMinHours: number;
  /** No recommendation for a workload observed less than this. */
  readonly minObservedHours: number;
  /** Hours of data that give full weight in the confidence. */
  readonly fullConfidenceHours: number;
  /** Recommendations saving less than this per month are not made. */
  readonly minMonthlySavingUsd: number;
  /** gpu_milli recommendations are rounded up to a multiple of this. */
  readonly milliStep: number;
  /** An open recommendation expires this long after it was created. */
  readonly expireOpenAfterMs: number;
  /** An accepted one that never shows its shape expires this long after acceptance. */
  readonly expireAcceptedAfterMs: number;
  /** A dismissed or expired recommendation keeps the same (kind, target) quiet this long. */
  readonly quietAfterCloseMs: number;
}

const DAY_MS = 86_400_000;

export const DEFAULT_RECOMMENDER_CONFIG: RecommenderConfig = {
  lookbackMs: 7 * DAY_MS,
  targetUtilizationPct: 80,
  memoryHeadroom: 0.05,
  idleUtilizationPct: 1,
  idleMinHours: 6,
  minObservedHours: 1,
  fullConfidenceHours: 72,
  minMonthlySavingUsd: 1,
  milliStep: 50,
  expireOpenAfterMs: 14 * DAY_MS,
  expireAcceptedAfterMs: 30 * DAY_MS,
  quietAfterCloseMs: 30 * DAY_MS,
};
