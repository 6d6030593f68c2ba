/**
 * Figure: realised savings in simulation (issue 15 item 5). Replays the openb GPU pods
 * (../shared/traces/openb, every GPU pod with a scheduled_time) for one simulated week on `--nodes`
 * openb GPU nodes (a seeded sample; the trace's 149 days put few pods alive at once, so, as
 * sim/openb-fleet.ts does, ARRIVALS are spread evenly in creation order over the first 90% of the
 * week while each pod keeps its REAL run time, deletion − scheduled), twice:
 * - before: the `--baseline` policy (default random: stock kube-scheduler without GPU awareness) and
 *   the pods' requests as given;
 * - after: the extender's policy (gpu-ledger) and, for a seeded `--adoption` fraction of the pods the
 *   recommender names, its right-size/share request (scheduler/savings/recommend.ts) computed from the
 *   pod's gentd26 utilization series (the series sim/openb-fleet.ts assigns it).
 * Cost per task = GPU-hours held × the catalog's on-demand price of the node's model
 * (config/prices/default.yaml), held inside the week; powered nodes are not modelled. Queue time =
 * start − arrival, a pod still queued at the week's end counting its wait so far; unallocated GPUs =
 * the week's time-averaged share of GPUs with nothing allocated.
 * Run: `npm run bench:savings` (`-- --nodes 20 --adoption 0.6 --seed 42 --pods N`). Last line is the figure.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPriceCatalog } from '../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../pipeline/cost/price-lookup.ts';
import { fitsNode, newNodeState } from '../scheduler/cluster.ts';
import { parseOpenbNodes, parseOpenbPods } from '../scheduler/openb-trace.ts';
import { POLICIES } from '../scheduler/policies/index.ts';
import { createRandomSource, shuffleInPlace } from '../scheduler/random-source.ts';
import { simulateEvents, type Job } from '../scheduler/savings/event-sim.ts';
import { recommendedRequest, type UsageProfile } from '../scheduler/savings/recommend.ts';
import { computeWorkloadShapes } from '../scheduler/workload-shapes.ts';
import { gentd26Series } from '../sim/gentd26-trace.js';
import { fnv } from '../sim/openb-fleet.ts';

const TRACES = resolve(import.meta.dirname, '../../shared/traces');
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '20' },
    pods: { type: 'string' },
    adoption: { type: 'string', default: '0.6' },
    seed: { type: 'string', default: '42' },
    baseline: { type: 'string', default: 'random' },
  },
});
const seed = Number(values.seed);
const adoption = Number(values.adoption);
const WEEK_S = 7 * 86_400;
const GIB = 2 ** 30;
/** Memory of one GPU a recommendation must fit (gentd26 gives no device totals): openb's V100M32/G2, 32 GiB. */
const GPU_MEMORY_BYTES = 32 * GIB;

const podCsv = readFileSync(resolve(TRACES, 'openb/openb_pod_list_default.csv'), 'utf8');
const [header, ...lines] = podCsv.trim().split(/\r?\n/);
const cols = (header ?? '').split(',');
const times = new Map(
  lines.map((line) => {
    const row: Record<string, string> = {};
    line.split(',').forEach((v, i) => (row[cols[i] ?? ''] = v));
    return [row['name'], row] as const;
  }),
);
const all = parseOpenbNodes(readFileSync(resolve(TRACES, 'openb/openb_node_list_gpu_node.csv'), 'utf8'));
const nodes = shuffleInPlace([...all], createRandomSource(seed)).slice(0, Number(values.nodes));
const emptyNodes = nodes.map(newNodeState);
const runnable = parseOpenbPods(podCsv)
  .filter((p) => p.gpuCount > 0 && times.get(p.name)?.['scheduled_time'] !== '')
  .map((pod) => {
    const t = times.get(pod.name)!;
    return {
      pod,
      createdS: Number(t['creation_time']),
      durationS: Number(t['deletion_time']) - Number(t['scheduled_time']),
    };
  })
  .filter((p) => p.durationS > 0)
  // A pod no sampled node could hold even empty (its GPU model is not in the sample) would only wait.
  .filter((p) => emptyNodes.some((n) => fitsNode(n, p.pod)))
  .sort((a, b) => a.createdS - b.createdS)
  .slice(0, values.pods ? Number(values.pods) : undefined);
const jobs: Job[] = runnable.map((p, rank) => ({
  pod: p.pod,
  arriveS: Math.floor((rank / runnable.length) * WEEK_S * 0.9),
  durationS: p.durationS,
}));

const gentd = gentd26Series(resolve(TRACES, 'gentd26'));
const profiles: UsageProfile[] = gentd.pods.map((s) => ({
  utilizationPct: s.util.map(([, v]) => Math.min(100, Math.max(0, v))),
  memoryBytes: s.mem.map(([, v]) => v),
  hours: (gentd.end - gentd.start) / 3600,
}));
const draw = createRandomSource(seed + 1);
let [named, adopted] = [0, 0];
const adoptedJobs: Job[] = jobs.map((job) => {
  const better = recommendedRequest(
    job.pod,
    profiles[fnv(`series/${job.pod.name}`) % profiles.length]!,
    GPU_MEMORY_BYTES,
  );
  if (!better) return job;
  named++;
  if (draw() >= adoption) return job;
  adopted++;
  return { ...job, pod: better };
});

const prices = createPriceLookup(loadPriceCatalog());
const priceOf = new Map<string, number>();
const usdPerGpuHour = (model: string) => {
  if (!priceOf.has(model))
    priceOf.set(model, prices.priceAt({ gpuModel: model, tier: 'on-demand' }, Date.now()).usdPerGpuHour);
  return priceOf.get(model)!;
};
const policyOf = (id: string) => {
  const policy = POLICIES[id];
  if (!policy) throw new Error(`unknown policy ${id}`);
  return policy;
};
const gpus = nodes.reduce((s, n) => s + n.gpuCount, 0);
const demand = jobs.reduce(
  (s, j) => s + (j.pod.gpuCount * j.pod.gpuMilli * Math.min(j.durationS, WEEK_S - j.arriveS)) / 1000 / 3600,
  0,
);
console.log(
  `savings: ${jobs.length} GPU pods over ${nodes.length} nodes (${gpus} GPUs), requested ${(demand / (WEEK_S / 3600)).toFixed(1)} GPUs on average over the week; ` +
    `recommender names ${named} pods, ${adopted} adopted (${adoption})`,
);
const runOf = (label: string, policyId: string, runJobs: readonly Job[]) => {
  const started = performance.now();
  const workload = computeWorkloadShapes(runJobs.map((j) => j.pod));
  const r = simulateEvents({
    nodes,
    jobs: runJobs,
    policy: policyOf(policyId),
    workload,
    seed,
    usdPerGpuHour,
    endS: WEEK_S,
  });
  console.log(
    `${label} (${policyId}): $${(r.costUsd / r.started).toFixed(3)} per task, ${r.gpuHours.toFixed(0)} GPU-h, ` +
      `queue ${r.meanQueueS.toFixed(0)} s mean, ${r.neverStarted} still queued at the end, unallocated GPUs ${r.unallocatedGpuPct.toFixed(1)}% ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return r;
};
const before = runOf('before', values.baseline, jobs);
const after = runOf('after', 'gpu-ledger', adoptedJobs);
/** The change after/before as a signed percent: `-20.0%` is a 20 % drop, `+5.0%` a rise. */
const change = (b: number, a: number) => {
  const pct = b > 0 ? (100 * (a - b)) / b : 0;
  return `${pct > 0 ? '+' : pct < 0 ? '-' : '-'}${Math.abs(pct).toFixed(1)}%`;
};
console.log(
  `savings: task cost ${change(before.costUsd / before.started, after.costUsd / after.started)}, ` +
    `queue time ${change(before.meanQueueS, after.meanQueueS)}, unallocated GPUs ${after.unallocatedGpuPct.toFixed(1)}%`,
);
