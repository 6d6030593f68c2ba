/** Utilization (%) and memory used (bytes) of gentd26 pod series `index` at `nowMs` (wall-clock time, or any time: the trace wraps around). */
export function traceReading(
  dir: string,
  index: number,
  nowMs: number,
  totalBytes: number,
): { utilizationPct: number; memoryUsedBytes: number };

/** One pod's series: [timestamp seconds, value] pairs sorted by time. */
export interface Gentd26Pod {
  readonly util: readonly (readonly [number, number])[];
  readonly mem: readonly (readonly [number, number])[];
}
/** The whole development half: trace start/end (seconds) and its 72 pods in key order. */
export function gentd26Series(dir: string): {
  readonly start: number;
  readonly end: number;
  readonly pods: readonly Gentd26Pod[];
};
/** The value of a step series at time `t` (seconds): the last point at or before it, null before the first. */
export function at(points: readonly (readonly [number, number])[], t: number): number | null;
