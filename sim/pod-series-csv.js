// Per-pod time series in the CSV shape of shared/traces/gentd26: a `value` column, a
// `timestamp_anon` column (epoch-like seconds) and one key column naming the pod (`container_ip`
// there), in any order. Pure; shared by the simulator (gentd26-trace.js) and `gpu-ledger rules check`.

const VALUE = 'value';
const TIME = 'timestamp_anon';

/** The key column of a header line when it has the shape (value, timestamp_anon, one key column), else null. */
export function podSeriesKeyColumn(headerLine) {
  const cols = headerLine.trim().split(',');
  if (cols.length !== 3 || !cols.includes(VALUE) || !cols.includes(TIME)) return null;
  return cols.find((c) => c !== VALUE && c !== TIME) ?? null;
}

/**
 * key → [[timestampS, value], …] sorted by time (keys in order of first appearance), and the rows
 * that could not be read (a value or time that is not a number, a missing cell): those are skipped.
 */
export function parsePodSeriesCsv(text) {
  const [header = '', ...lines] = text.trim().split(/\r?\n/);
  const key = podSeriesKeyColumn(header);
  if (key === null) throw new Error(`not a per-pod series CSV: the header must be value,${TIME},<key column>`);
  const cols = header.trim().split(',');
  const [v, t, k] = [VALUE, TIME, key].map((c) => cols.indexOf(c));
  const series = new Map();
  const errors = [];
  lines.forEach((line, i) => {
    const f = line.split(',');
    const [time, value, pod] = [Number(f[t]), Number(f[v]), f[k]];
    if (f.length !== 3 || !pod || f[t] === '' || f[v] === '' || !Number.isFinite(time) || !Number.isFinite(value))
      return void errors.push(`line ${i + 2}: unreadable row: ${line.slice(0, 120)}`);
    const points = series.get(pod) ?? [];
    points.push([time, value]);
    series.set(pod, points);
  });
  for (const points of series.values()) points.sort((a, b) => a[0] - b[0]);
  return { key, series, errors };
}
