/**
 * Figure: utilization-aware co-location on real usage (../shared/traces/gentd26, 72 serving pods,
 * ~23 h at one sample per ~57 s). The trace gives no requests, so each pod gets a GPU request drawn
 * (seeded) from the openb trace's sharing pods. Both packings use the same FGD scorer on the fewest
 * GPUs that take them all: request-sized (the baseline) and usage-sized (a trailing percentile of the pod's own
 * first `--warmup-h` hours, times a headroom); both are then judged on the pods' real usage over the
 * remaining hours. Also: the error of predicting each pod's next hour from its own history. Run:
 * `npm run bench:utilization` (`-- --out FILE` for the JSON the plot script reads). The last line is
 * the claim: the fewest GPUs at interference no higher than the request-based packing's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { isSharingPod } from '../scheduler/cluster.ts';
import { parseOpenbPods } from '../scheduler/openb-trace.ts';
import { fgdPolicy } from '../scheduler/policies/fgd.ts';
import { createRandomSource } from '../scheduler/random-source.ts';
import { parseSeeds } from '../scheduler/simulation-summary.ts';
import { parseGentdSeries } from '../scheduler/utilization/gentd-series.ts';
import { packAndEvaluate, type PackingOutcome, type UsagePod } from '../scheduler/utilization/usage-packing.ts';
import { evaluateTrailingPercentile, trailingPercentile } from '../scheduler/utilization/usage-prediction.ts';

const TRACES = resolve(import.meta.dirname, '../../shared/traces');
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '42-51' },
    'warmup-h': { type: 'string', default: '6' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../.run/utilization-aware.json') },
  },
});
const seeds = parseSeeds(values.seeds);
const usage = parseGentdSeries(
  gunzipSync(readFileSync(resolve(TRACES, 'gentd26/pod_gpu_duty_cycle_dev.csv.gz'))).toString('utf8'),
);
const sharingMilli = parseOpenbPods(readFileSync(resolve(TRACES, 'openb/openb_pod_list_default.csv'), 'utf8'))
  .filter(isSharingPod)
  .map((p) => p.gpuMilli);
const draw = createRandomSource(7);
const pods: UsagePod[] = [...usage.pods].map(([key, series]) => ({
  key,
  series,
  requestMilli: sharingMilli[Math.floor(draw() * sharingMilli.length)]!,
}));
const hourSteps = Math.round(3600 / usage.stepS);
const warmupSteps = Math.round(Number(values['warmup-h']) * hourSteps);
const setup = {
  policy: fgdPolicy,
  node: { cpuMilli: 128_000, memoryMib: 1_048_576, gpuModel: 'A10' },
  podCpuMilli: 2000,
  podMemoryMib: 8192,
  fromStep: warmupSteps,
  stepS: usage.stepS,
};
const all = pods.flatMap((p) => Array.from(p.series));
console.log(
  `gentd26: ${pods.length} pods, ${usage.timesS.length} steps of ${usage.stepS} s; mean usage ${(all.reduce((a, b) => a + b, 0) / all.length).toFixed(2)}%, ` +
    `${((100 * all.filter((v) => v === 0).length) / all.length).toFixed(0)}% of samples 0; ` +
    `requests (openb sharing draws) sum ${(pods.reduce((s, p) => s + p.requestMilli, 0) / 1000).toFixed(2)} GPUs; ` +
    `warm-up ${values['warmup-h']} h, judged on the ${((usage.timesS.length - warmupSteps) / hourSteps).toFixed(1)} h after`,
);

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const average = (sizing: string, size: (p: UsagePod) => number): PackingOutcome => {
  const runs = seeds.map((seed) => packAndEvaluate(pods, sizing, size, { ...setup, seed }));
  const keys = Object.keys(runs[0]!).filter((k) => k !== 'sizing') as (keyof Omit<PackingOutcome, 'sizing'>)[];
  return { sizing, ...Object.fromEntries(keys.map((k) => [k, mean(runs.map((r) => r[k]))])) } as PackingOutcome;
};
const sizings: [string, (p: UsagePod) => number][] = [['request', (p) => p.requestMilli]];
for (const pct of [50, 90, 95, 99, 100]) {
  for (const headroom of [1, 1.25, 1.5, 2]) {
    sizings.push([
      `p${pct} x${headroom}`,
      (p) => Math.max(10, trailingPercentile(p.series, warmupSteps, pct) * 10 * headroom),
    ]);
  }
}
const outcomes = sizings.map(([name, size]) => average(name, size));
const row = (o: PackingOutcome) =>
  `${o.sizing.padEnd(10)} GPUs ${o.gpusUsed.toFixed(1).padStart(5)}  eff. util ${o.effectiveUtilizationPct.toFixed(1).padStart(5)}%  ` +
  `interference ${o.interferenceGpuMinutes.toFixed(1).padStart(7)} GPU-min (${o.interferencePct.toFixed(3)}%)  ` +
  `p95 summed ${o.p95SummedUsagePct.toFixed(1).padStart(5)}%  p95 overload ${o.p95OverloadPp.toFixed(1)} pp`;
for (const o of outcomes) console.log(row(o));

const predictions = [50, 90, 95, 99, 100].map((pct) => ({
  pct,
  ...evaluateTrailingPercentile(usage.pods.values(), { pct, hourSteps, warmupSteps }),
}));
for (const p of predictions) {
  console.log(
    `predict next hour by trailing p${p.pct}: ${p.predictions} pod-hours, MAE ${p.maePp.toFixed(2)} pp, ` +
      `${p.exceedancePct.toFixed(2)}% of next-hour samples above it (by ${p.meanExcessPp.toFixed(1)} pp on average)`,
  );
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  JSON.stringify({ seeds, warmupH: Number(values['warmup-h']), outcomes, predictions, example: exampleSeries() }),
);

const base = outcomes[0]!;
const eligible = outcomes.slice(1).filter((o) => o.interferenceGpuMinutes <= base.interferenceGpuMinutes);
const best = eligible.sort((a, b) => a.gpusUsed - b.gpusUsed)[0];
console.log(
  best
    ? `utilization-aware: ${best.sizing} needs ${best.gpusUsed.toFixed(1)} GPUs vs request-based FGD ${base.gpusUsed.toFixed(1)} ` +
        `(${((100 * (base.gpusUsed - best.gpusUsed)) / base.gpusUsed).toFixed(0)}% fewer), effective utilization ` +
        `${best.effectiveUtilizationPct.toFixed(1)}% vs ${base.effectiveUtilizationPct.toFixed(1)}%, at interference ` +
        `${best.interferenceGpuMinutes.toFixed(1)} vs ${base.interferenceGpuMinutes.toFixed(1)} GPU-min over ${seeds.length} seeds`
    : `utilization-aware: no usage sizing reaches the request-based interference (${base.interferenceGpuMinutes.toFixed(1)} GPU-min): no gain claimed`,
);

/** The busiest pod's series with its trailing p95 and max predictions, for the plot. */
function exampleSeries() {
  const busiest = [...pods].sort((a, b) => mean(Array.from(b.series)) - mean(Array.from(a.series)))[0]!;
  const hours = Math.floor(busiest.series.length / hourSteps);
  return {
    stepS: usage.stepS,
    usagePct: Array.from(busiest.series),
    predictedP95: Array.from({ length: hours }, (_, h) =>
      h === 0 ? null : trailingPercentile(busiest.series, h * hourSteps, 95),
    ),
    predictedMax: Array.from({ length: hours }, (_, h) =>
      h === 0 ? null : trailingPercentile(busiest.series, h * hourSteps, 100),
    ),
    hourSteps,
  };
}
