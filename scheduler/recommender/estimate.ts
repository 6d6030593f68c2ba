/**
 * The two numbers every recommendation carries: its monthly saving at catalog prices and its
 * confidence (docs/recommender.md, "Formulas"). Pure.
 */
import type { RecommenderConfig } from './recommender-config.ts';

/** Hours in the month the savings are quoted for (the FinOps convention, 8760 / 12). */
export const HOURS_PER_MONTH = 730;

export interface SavingInput {
  /** GPU-hours the workload was charged over the observed hours, and the price per GPU-hour now. */
  readonly currentGpuHours: number;
  readonly currentUsdPerGpuHour: number;
  /** The same hours in the recommended shape, and its price per GPU-hour. */
  readonly recommendedGpuHours: number;
  readonly recommendedUsdPerGpuHour: number;
  /** Wall-clock hours the current shape was observed. */
  readonly observedHours: number;
}

/** (current GPU-h × price − recommended GPU-h × price′) / observed hours × 730 h; 0 when nothing was observed. */
export const monthlySavingUsd = (s: SavingInput): number => {
  if (!(s.observedHours > 0)) return 0;
  const perHour =
    (s.currentGpuHours * s.currentUsdPerGpuHour - s.recommendedGpuHours * s.recommendedUsdPerGpuHour) / s.observedHours;
  return Math.max(0, perHour * HOURS_PER_MONTH);
};

export interface ConfidenceInput {
  readonly observedHours: number;
  /** Minutes of telemetry behind the evidence. */
  readonly minutes: number;
  /** How far inside its thresholds the recommended shape sits, 0 (at the limit) .. 1 (far inside). */
  readonly margin: number;
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * coverage × density × (½ + ½ margin), rounded to 0.01: coverage = observed hours / fullConfidenceHours
 * (capped at 1), density = telemetry minutes / observed minutes (capped at 1).
 */
export const confidenceOf = (c: ConfidenceInput, config: Pick<RecommenderConfig, 'fullConfidenceHours'>): number => {
  const coverage = clamp01(c.observedHours / config.fullConfidenceHours);
  const density = c.observedHours > 0 ? clamp01(c.minutes / (c.observedHours * 60)) : 0;
  return Math.round(coverage * density * (0.5 + 0.5 * clamp01(c.margin)) * 100) / 100;
};
