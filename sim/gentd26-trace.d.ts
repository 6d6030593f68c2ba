/** Utilization (%) and memory used (bytes) of gentd26 pod series `index` at wall-clock time `nowMs`. */
export function traceReading(
  dir: string,
  index: number,
  nowMs: number,
  totalBytes: number,
): { utilizationPct: number; memoryUsedBytes: number };
