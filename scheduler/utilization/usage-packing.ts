import type { NodeSpec, PodRequest } from '../cluster.ts';
import { percentile } from '../simulation-summary.ts';
import type { PlacementPolicy } from '../policy.ts';
import { createRandomSource, shuffleInPlace } from '../random-source.ts';
import { simulate } from '../simulator.ts';
import { computeWorkloadShapes } from '../workload-shapes.ts';

/** A serving pod of the usage track: its GPU request (milli) and its measured usage series (% of a GPU). */
export interface UsagePod {
  readonly key: string;
  readonly requestMilli: number;
  readonly series: Float64Array;
}

/** One packing of the pods, judged on their real usage over the evaluation window. */
export interface PackingOutcome {
  readonly sizing: string;
  /** GPUs needed: the fewest single-GPU nodes the policy places every pod on. */
  readonly gpusUsed: number;
  /** Mean over those GPUs and the window of min(100, Σ usage of its pods), %. */
  readonly effectiveUtilizationPct: number;
  /** GPU-minutes whose summed usage exceeds 100%, and their share of all GPU-minutes. */
  readonly interferenceGpuMinutes: number;
  readonly interferencePct: number;
  /** 95th percentile of the summed usage over all GPU-steps, % of a GPU. */
  readonly p95SummedUsagePct: number;
  /** 95th percentile of the excess over 100% in the overloaded GPU-steps, percentage points (0: none). */
  readonly p95OverloadPp: number;
}

export interface PackingSetup {
  readonly policy: PlacementPolicy;
  /** A single-GPU node (the GPU count is what is searched). */
  readonly node: Omit<NodeSpec, 'name' | 'gpuCount'>;
  /** CPU and memory each pod asks (the GPU is what binds here). */
  readonly podCpuMilli: number;
  readonly podMemoryMib: number;
  readonly seed: number;
  /** The window judged: grid steps [fromStep, series end). */
  readonly fromStep: number;
  readonly stepS: number;
}

/**
 * Packs the pods, each sized `sizeMilli(pod)` of a GPU (its request, or a percentile of its measured
 * usage), with the policy against the shapes of those sizes, in a seeded shuffled order, onto the
 * fewest identical single-GPU nodes that take them all (from ⌈Σ size⌉ up); then replays their real
 * usage over the window: per GPU and step the summed usage of the pods on it. Pure.
 */
export function packAndEvaluate(
  pods: readonly UsagePod[],
  sizing: string,
  sizeMilli: (pod: UsagePod) => number,
  setup: PackingSetup,
): PackingOutcome {
  const requests: PodRequest[] = pods.map((p) => ({
    name: p.key,
    cpuMilli: setup.podCpuMilli,
    memoryMib: setup.podMemoryMib,
    gpuCount: 1,
    gpuMilli: Math.min(1000, Math.max(1, Math.ceil(sizeMilli(p)))),
    gpuSpec: [],
  }));
  const arrivals = shuffleInPlace([...requests], createRandomSource(setup.seed));
  const workload = computeWorkloadShapes(requests);
  const place = (gpus: number) =>
    simulate({
      nodes: Array.from({ length: gpus }, (_, i) => ({ ...setup.node, gpuCount: 1, name: `usage-gpu-${i}` })),
      pods: requests,
      policy: setup.policy,
      workload,
      seed: setup.seed,
      arrivals,
      // The figures of docs/utilization-aware.md were measured with stock kube-scheduler's random ties.
      tieBreak: 'random',
    });
  let gpus = Math.ceil(requests.reduce((sum, r) => sum + r.gpuMilli, 0) / 1000);
  let result = place(gpus);
  while (result.failedPods > 0) result = place(++gpus);
  const series = new Map(pods.map((p) => [p.key, p.series]));
  const byGpu = new Map<string, Float64Array[]>();
  for (const placed of result.placements) {
    const key = `${placed.node}/${placed.gpuIndexes[0]}`;
    byGpu.set(key, [...(byGpu.get(key) ?? []), series.get(placed.pod.name)!]);
  }
  const steps = (pods[0]?.series.length ?? 0) - setup.fromStep;
  const sums: number[] = [];
  let effective = 0;
  for (const onGpu of byGpu.values()) {
    for (let t = setup.fromStep; t < setup.fromStep + steps; t++) {
      let sum = 0;
      for (const s of onGpu) sum += s[t] ?? 0;
      sums.push(sum);
      effective += Math.min(100, sum);
    }
  }
  const overloads = sums.filter((s) => s > 100).map((s) => s - 100);
  return {
    sizing,
    gpusUsed: byGpu.size,
    effectiveUtilizationPct: effective / Math.max(1, sums.length),
    interferenceGpuMinutes: (overloads.length * setup.stepS) / 60,
    interferencePct: (100 * overloads.length) / Math.max(1, sums.length),
    p95SummedUsagePct: percentile(sums, 95),
    p95OverloadPp: percentile(overloads, 95),
  };
}
