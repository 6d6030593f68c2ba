/**
 * Figure: realised savings in simulation (issue 15 item 5). Replays the openb GPU pods
 * (../shared/traces/openb, every GPU pod with a scheduled_time) for one simulated week on `--nodes`
 * openb GPU nodes (a seeded sample; the trace's 149 days put few pods alive at once, so, as
 * sim/openb-fleet.ts does, ARRIVALS are spread evenly in creation order over the first 90% of the
 * week while each pod keeps its REAL run time, deletion − scheduled), twice, under the same autoscaler
 * (scheduler/savings/event-sim.ts: an empty node goes down after `--idle-delay` s, a node boots in
 * `--boot-delay` s for pods that fit no powered node):
 * - before: the `--baseline` policy (default random: stock kube-scheduler without GPU awareness) and
 *   the pods' requests as given;
 * - after: the extender's policy (gpu-ledger) and, for a seeded `--adoption` fraction of the pods the
 *   recommender names, its request (scheduler/savings/recommend.ts) computed from the pod's gentd26
 *   utilization and memory series (the series sim/openb-fleet.ts assigns it), memory taken as a share
 *   of a `--source-gpu-gib` GPU (default: the trace's largest peak, the smallest GPU that held it);
 *   every `--recommend-every` s the consolidate recommender runs on the nodes and the same share of the
 *   nodes it names are drained (scheduler/savings/consolidation.ts; only LS pods, serving replicas,
 *   move). Variants, not the figure: `--consolidate-before` gives the before run the same drains;
 *   `--no-autoscaler` keeps every node powered all week (no scale-down, no drains).
 * Cost per task = fleet cost (powered node-hours × node GPUs × the catalog's on-demand price of the
 * node's model, config/prices/default.yaml) / pods completed inside the week. Queue time = start −
 * arrival (boot waits included), a pod still queued at the week's end counting its wait so far;
 * unallocated GPUs = the share of powered GPU-time with nothing allocated on the GPU.
 * Run: `npm run bench:savings` (`-- --nodes 20 --adoption 0.6 --seed 42,43 --pods N`). The last line is
 * the figure (with several seeds: their mean).
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
import { simulateEvents, type Consolidation, type EventSimResult, type Job } from '../scheduler/savings/event-sim.ts';
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
    'idle-delay': { type: 'string', default: '600' },
    'boot-delay': { type: 'string', default: '300' },
    'source-gpu-gib': { type: 'string' },
    'recommend-every': { type: 'string', default: '3600' },
    'consolidate-before': { type: 'boolean', default: false },
    'no-autoscaler': { type: 'boolean', default: false },
  },
});
const adoption = Number(values.adoption);
const recommendEveryS = Number(values['recommend-every']);
const autoscaler = { idleDelayS: Number(values['idle-delay']), bootDelayS: Number(values['boot-delay']) };
const WEEK_S = 7 * 86_400;
const GIB = 2 ** 30;

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
const allNodes = parseOpenbNodes(readFileSync(resolve(TRACES, 'openb/openb_node_list_gpu_node.csv'), 'utf8'));
const allPods = parseOpenbPods(podCsv)
  .filter((p) => p.gpuCount > 0 && times.get(p.name)?.['scheduled_time'] !== '')
  .map((pod) => {
    const t = times.get(pod.name)!;
    return {
      pod,
      createdS: Number(t['creation_time']),
      durationS: Number(t['deletion_time']) - Number(t['scheduled_time']),
      // A latency-sensitive pod is a serving replica: restarted elsewhere it loses no work.
      movable: t['qos'] === 'LS',
    };
  })
  .filter((p) => p.durationS > 0)
  .sort((a, b) => a.createdS - b.createdS);

const gentd = gentd26Series(resolve(TRACES, 'gentd26'));
const profiles: UsageProfile[] = gentd.pods.map((s) => ({
  utilizationPct: s.util.map(([, v]) => v),
  memoryBytes: s.mem.map(([, v]) => v),
  hours: ((s.util.at(-1)?.[0] ?? 0) - (s.util[0]?.[0] ?? 0)) / 3600,
}));
const tracePeakBytes = Math.max(...profiles.flatMap((p) => p.memoryBytes));
const sourceGpuBytes = values['source-gpu-gib'] ? Number(values['source-gpu-gib']) * GIB : tracePeakBytes;

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
const perTask = (r: EventSimResult) => (r.completed > 0 ? r.fleetCostUsd / r.completed : 0);
/** The change after/before as a signed percent: `-20.0%` is a 20 % drop, `+5.0%` a rise. */
const changePct = (b: number, a: number) => (b > 0 ? (100 * (a - b)) / b : 0);
const signed = (pct: number) => `${pct > 0 ? '+' : '-'}${Math.abs(pct).toFixed(1)}%`;
const figure = (cost: number, queue: number, unallocated: number) =>
  `task cost ${signed(cost)}, queue time ${signed(queue)}, unallocated GPUs ${unallocated.toFixed(1)}%`;

function runSeed(seed: number) {
  const nodes = shuffleInPlace([...allNodes], createRandomSource(seed)).slice(0, Number(values.nodes));
  const emptyNodes = nodes.map(newNodeState);
  const runnable = allPods
    // A pod no sampled node could hold even empty (its GPU model is not in the sample) would only wait.
    .filter((p) => emptyNodes.some((n) => fitsNode(n, p.pod)))
    .slice(0, values.pods ? Number(values.pods) : undefined);
  const jobs: Job[] = runnable.map((p, rank) => ({
    pod: p.pod,
    arriveS: Math.floor((rank / runnable.length) * WEEK_S * 0.9),
    durationS: p.durationS,
    movable: p.movable,
  }));
  const draw = createRandomSource(seed + 1);
  const named = new Map<string, number>();
  let adopted = 0;
  const adoptedJobs: Job[] = jobs.map((job) => {
    const series = profiles[fnv(`series/${job.pod.name}`) % profiles.length]!;
    const better = recommendedRequest(job.pod, series, sourceGpuBytes);
    if (!better) return job;
    named.set(better.kind, (named.get(better.kind) ?? 0) + 1);
    if (draw() >= adoption) return job;
    adopted++;
    return { ...job, pod: better.pod };
  });
  const gpus = nodes.reduce((s, n) => s + n.gpuCount, 0);
  const demand = jobs.reduce(
    (s, j) => s + (j.pod.gpuCount * j.pod.gpuMilli * Math.min(j.durationS, WEEK_S - j.arriveS)) / 1000 / 3600,
    0,
  );
  const kinds = [...named].map(([k, n]) => `${k} ${n}`).join(', ');
  const total = [...named.values()].reduce((s, n) => s + n, 0);
  console.log(
    `seed ${seed}: ${jobs.length} GPU pods over ${nodes.length} nodes (${gpus} GPUs), requested ${(demand / (WEEK_S / 3600)).toFixed(1)} GPUs on average over the week; ` +
      `recommender names ${total} pods (${kinds}), ${adopted} adopted (${adoption}); ${values['no-autoscaler'] ? 'no autoscaler' : `autoscaler idle ${autoscaler.idleDelayS} s, boot ${autoscaler.bootDelayS} s`}`,
  );
  const runOf = (label: string, policyId: string, runJobs: readonly Job[], consolidation?: Consolidation) => {
    const started = performance.now();
    const r = simulateEvents({
      nodes,
      jobs: runJobs,
      policy: policyOf(policyId),
      workload: computeWorkloadShapes(runJobs.map((j) => j.pod).filter((p) => p.gpuCount > 0)),
      seed,
      usdPerGpuHour,
      endS: WEEK_S,
      ...(values['no-autoscaler'] ? {} : { autoscaler }),
      ...(consolidation && !values['no-autoscaler'] ? { consolidation } : {}),
    });
    console.log(
      `  ${label} (${policyId}): $${perTask(r).toFixed(3)} per task = $${r.fleetCostUsd.toFixed(0)} fleet / ${r.completed} completed, ` +
        `${r.poweredGpuHours.toFixed(0)} powered GPU-h (${r.gpuHours.toFixed(0)} allocated), ${r.boots} boots, ` +
        (consolidation ? `${r.drains} nodes drained (${r.podsMoved} pods moved), ` : '') +
        `queue ${r.meanQueueS.toFixed(0)} s mean, ${r.neverStarted} still queued at the end, unallocated GPUs ${r.unallocatedGpuPct.toFixed(1)}% ` +
        `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    return r;
  };
  const consolidation = { everyS: recommendEveryS, adoption };
  const before = runOf('before', values.baseline, jobs, values['consolidate-before'] ? consolidation : undefined);
  const after = runOf('after', 'gpu-ledger', adoptedJobs, consolidation);
  const result = {
    cost: changePct(perTask(before), perTask(after)),
    queue: changePct(before.meanQueueS, after.meanQueueS),
    unallocated: after.unallocatedGpuPct,
  };
  console.log(`  seed ${seed} savings: ${figure(result.cost, result.queue, result.unallocated)}`);
  return result;
}

const seeds = values.seed.split(',').map(Number);
console.log(
  `savings: memory judged as a share of a ${(sourceGpuBytes / GIB).toFixed(1)} GiB GPU (gentd26's largest peak ${(tracePeakBytes / GIB).toFixed(1)} GiB)`,
);
const results = seeds.map(runSeed);
const mean = (f: (r: (typeof results)[number]) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
console.log(
  `savings: ${figure(
    mean((r) => r.cost),
    mean((r) => r.queue),
    mean((r) => r.unallocated),
  )}${seeds.length > 1 ? ` (mean of seeds ${seeds.join(', ')})` : ''}`,
);
