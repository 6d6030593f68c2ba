import { percentile } from '../simulation-summary.ts';

/** How well a trailing percentile of a pod's own history predicts its next hour. */
export interface PredictionError {
  /** Predictions made (pod-hours after the warm-up). */
  readonly predictions: number;
  /** Mean |predicted − next hour's same percentile|, percentage points of a GPU. */
  readonly maePp: number;
  /** Share of next-hour samples above the prediction, %. */
  readonly exceedancePct: number;
  /** Mean of the excess over the prediction in those samples, percentage points. */
  readonly meanExcessPp: number;
}

/** The trailing percentile of everything before `end` (the pod's own history only). */
export const trailingPercentile = (series: Float64Array, end: number, pct: number): number =>
  percentile(Array.from(series.subarray(0, end)), pct);

/**
 * Predicts each pod's next hour from its own history: at every hour boundary after `warmupSteps`,
 * the prediction is the `pct` percentile of all the pod's samples so far; it is compared with the
 * same percentile of the next hour's samples, and every next-hour sample above it is counted.
 */
export function evaluateTrailingPercentile(
  series: Iterable<Float64Array>,
  options: { readonly pct: number; readonly hourSteps: number; readonly warmupSteps: number },
): PredictionError {
  let [predictions, absErr, samples, above, excess] = [0, 0, 0, 0, 0];
  for (const s of series) {
    for (let end = options.warmupSteps; end + options.hourSteps <= s.length; end += options.hourSteps) {
      const predicted = trailingPercentile(s, end, options.pct);
      const next = Array.from(s.subarray(end, end + options.hourSteps));
      absErr += Math.abs(predicted - percentile(next, options.pct));
      predictions++;
      for (const v of next) {
        samples++;
        if (v > predicted) {
          above++;
          excess += v - predicted;
        }
      }
    }
  }
  return {
    predictions,
    maePp: absErr / Math.max(1, predictions),
    exceedancePct: (100 * above) / Math.max(1, samples),
    meanExcessPp: excess / Math.max(1, above),
  };
}
