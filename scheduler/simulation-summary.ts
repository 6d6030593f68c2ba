import type { SimulationResult } from './simulator.ts';

/** What `gpu-ledger simulate` reports over several seeds of one policy. */
export interface SimulationSummary {
  readonly policy: string;
  readonly traceFile: string;
  readonly seeds: readonly number[];
  /** Unallocated GPU % at arrived 100% per seed, then mean and sample standard deviation. */
  readonly unallocatedAt100Pct: readonly number[];
  readonly meanPct: number;
  readonly sdPct: number;
  /** Mean unallocated GPU % over the seeds at each whole arrived percent. */
  readonly curve: readonly { readonly arrivedPct: number; readonly unallocatedPct: number }[];
  readonly decisionP99Ms: number;
  readonly secondsPerSeed: number;
  readonly failedPods: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Nearest-rank percentile (`p` in 0..100) of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function summarizeSimulations(
  run: { readonly policy: string; readonly traceFile: string; readonly seeds: readonly number[] },
  results: readonly SimulationResult[],
  wallMs: number,
): SimulationSummary {
  const at100 = results.map((r) => r.curve[99]?.unallocatedPct ?? NaN);
  const m = mean(at100);
  const sd = at100.length > 1 ? Math.sqrt(at100.reduce((s, x) => s + (x - m) ** 2, 0) / (at100.length - 1)) : 0;
  const points = Math.min(...results.map((r) => r.curve.length));
  return {
    ...run,
    unallocatedAt100Pct: at100,
    meanPct: m,
    sdPct: sd,
    curve: Array.from({ length: points }, (_, i) => ({
      arrivedPct: i + 1,
      unallocatedPct: mean(results.map((r) => r.curve[i]!.unallocatedPct)),
    })),
    decisionP99Ms: percentile(
      results.flatMap((r) => r.decisionMs),
      99,
    ),
    secondsPerSeed: wallMs / 1000 / Math.max(1, results.length),
    failedPods: results.reduce((s, r) => s + r.failedPods, 0),
  };
}

/** The line `gpu-ledger simulate` ends with. */
export const formatSummaryLine = (s: SimulationSummary): string =>
  `simulate: ${s.policy} on ${s.traceFile}: unallocated@100 ${s.meanPct.toFixed(2)}% ± ${s.sdPct.toFixed(2)} over ${s.seeds.length} seeds; ` +
  `decision p99 ${s.decisionP99Ms.toFixed(2)} ms; ${s.secondsPerSeed.toFixed(1)} s per seed`;

/** Seeds as `42-51`, `42,45,47` or `42`. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`not a seed list: "${text}" (use e.g. 42-51 or 42,43)`);
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) throw new Error(`seed range ${part} runs backwards`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
  return seeds;
}
