/**
 * What a simulated pod really used: the integral of the gentd26 utilization series the fake
 * nvidia-smi replays for it (sim/gentd26-trace.js: series `index`, wall time mapped onto the trace
 * modulo its length, a step function between points, 0 before a series' first point, clamped to
 * 0..100 %). Exact over any span (no sampling), so a ledger that samples every minute is compared
 * with the continuous truth.
 */
import { gentd26Series } from '../gentd26-trace.js';

type Points = readonly (readonly [number, number])[];

/** ∫ value dt (percent × seconds) of a step series over trace time [x, y). */
const stepIntegral = (points: Points, x: number, y: number): number => {
  let total = 0;
  // the last point at or before x
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((points[mid] as readonly [number, number])[0] <= x) lo = mid;
    else hi = mid - 1;
  }
  let i = points.length > 0 && (points[lo] as readonly [number, number])[0] <= x ? lo : -1;
  let t = x;
  while (t < y) {
    const next = points[i + 1];
    const end = next === undefined ? y : Math.min(y, next[0]);
    const value = i < 0 ? 0 : Math.min(100, Math.max(0, (points[i] as readonly [number, number])[1]));
    total += value * (end - t);
    t = end;
    i++;
  }
  return total;
};

/** Percent-seconds series `index` shows over [fromMs, toMs) of replay time (0: the trace's start, wrapping at its end). */
export function seriesPercentSeconds(dir: string, index: number, fromMs: number, toMs: number): number {
  const trace = gentd26Series(dir);
  const pod = trace.pods[index % trace.pods.length];
  if (!pod || toMs <= fromMs) return 0;
  const length = trace.end - trace.start;
  let total = 0;
  let s = fromMs / 1000;
  const end = toMs / 1000;
  while (s < end) {
    const lap = Math.floor(s / length);
    const lapEnd = Math.min(end, (lap + 1) * length);
    total += stepIntegral(pod.util, trace.start + s - lap * length, trace.start + lapEnd - lap * length);
    s = lapEnd;
  }
  return total;
}
