// Real per-pod GPU utilization and memory series from shared/traces/gentd26 for the fake nvidia-smi.
// The two gzip CSVs are parsed once and cached as JSON in the temp dir (keyed by size and mtime).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parsePodSeriesCsv } from './pod-series-csv.js';

const UTIL = 'pod_gpu_duty_cycle_dev.csv.gz';
const MEM = 'pod_gpu_memory_used_bytes_dev.csv.gz';

/** container_ip → [[timestampS, value], …] sorted by time. Column order differs between the two files. */
function series(path) {
  return parsePodSeriesCsv(gunzipSync(readFileSync(path)).toString('utf8')).series;
}

const loaded = new Map(); // dir → trace, for long-lived callers (loop mode, benches)

function load(dir) {
  const memo = loaded.get(dir);
  if (memo) return memo;
  const trace = loadFile(dir);
  loaded.set(dir, trace);
  return trace;
}

function loadFile(dir) {
  const stamp = [UTIL, MEM]
    .map((f) => {
      const s = statSync(join(dir, f));
      return `${s.size}-${Math.round(s.mtimeMs)}`;
    })
    .join('_');
  const cache = join(tmpdir(), `gpu-ledger-gentd26-${stamp}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8'));
  const util = series(join(dir, UTIL));
  const mem = series(join(dir, MEM));
  const pods = [...util.keys()].sort().map((key) => ({ util: util.get(key), mem: mem.get(key) ?? [] }));
  const times = pods.flatMap((p) => [p.util[0][0], p.util[p.util.length - 1][0]]);
  const trace = { start: Math.min(...times), end: Math.max(...times), pods };
  writeFileSync(cache, JSON.stringify(trace));
  return trace;
}

/** The whole trace: `{ start, end, pods: [{ util: [[tS, pct], …], mem: [[tS, bytes], …] }] }`, pods in key order. */
export function gentd26Series(dir) {
  return load(dir);
}

/** The last point at or before `t` (the series is a step function between 57 s samples). */
export function at(points, t) {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0 || t < points[0][0]) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid][0] <= t) lo = mid;
    else hi = mid - 1;
  }
  return points[lo][1];
}

/** Utilization (%) and memory used (bytes, capped at the GPU's total) of pod series `i` now. */
export function traceReading(dir, i, nowMs, totalBytes) {
  const trace = load(dir);
  const pod = trace.pods[i % trace.pods.length];
  const length = trace.end - trace.start;
  const t = trace.start + ((((nowMs / 1000) % length) + length) % length);
  const memory = at(pod.mem, t) ?? 0;
  return {
    utilizationPct: Math.min(100, Math.max(0, at(pod.util, t) ?? 0)),
    memoryUsedBytes: totalBytes > 0 ? Math.min(memory, totalBytes) : memory,
  };
}
