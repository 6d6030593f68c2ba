/**
 * Per-pod GPU usage series of the GenTD26 trace (../shared/traces/gentd26: `value`, `timestamp_anon`,
 * `container_ip`; one sample per pod about every 57 s). Pure: takes the (gunzipped) CSV text. All
 * pods share one timestamp grid; a pod without a sample at a grid step is not running then (usage 0).
 */
export interface UsageSeries {
  /** The grid: distinct sample times, ascending, in seconds. */
  readonly timesS: readonly number[];
  /** Seconds one grid step stands for (the median spacing). */
  readonly stepS: number;
  /** Per pod key (container_ip hash): usage in percent of a GPU at each grid step. */
  readonly pods: ReadonlyMap<string, Float64Array>;
}

export function parseGentdSeries(text: string, file = 'gentd26 csv'): UsageSeries {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const header = (lines[0] ?? '').split(',');
  const [vi, ti, pi] = ['value', 'timestamp_anon', 'container_ip'].map((c) => header.indexOf(c)) as [
    number,
    number,
    number,
  ];
  if (vi < 0 || ti < 0 || pi < 0) throw new Error(`${file}: needs columns value, timestamp_anon, container_ip`);
  const rows = lines.slice(1).map((line, i) => {
    const f = line.split(',');
    const [value, time] = [Number(f[vi]), Number(f[ti])];
    if (f.length !== header.length || !Number.isFinite(value) || !Number.isFinite(time) || !f[pi]) {
      throw new Error(`${file} line ${i + 2}: expected ${header.length} fields with a number value and time`);
    }
    return { value, time, pod: f[pi] };
  });
  const timesS = [...new Set(rows.map((r) => r.time))].sort((a, b) => a - b);
  const index = new Map(timesS.map((t, i) => [t, i]));
  const pods = new Map<string, Float64Array>();
  for (const r of rows) {
    const series = pods.get(r.pod) ?? new Float64Array(timesS.length);
    series[index.get(r.time)!] = r.value;
    pods.set(r.pod, series);
  }
  const gaps = timesS
    .slice(1)
    .map((t, i) => t - timesS[i]!)
    .sort((a, b) => a - b);
  return { timesS, stepS: gaps[Math.floor(gaps.length / 2)] ?? 60, pods };
}
