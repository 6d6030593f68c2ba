import type { PodRequest } from './cluster.ts';

/** One pod shape of the target workload and its popularity (share of the trace's pods, 0..1). */
export interface PodShape {
  readonly cpuMilli: number;
  readonly gpuCount: number;
  readonly gpuMilli: number;
  readonly gpuSpec: readonly string[];
  readonly popularity: number;
}

/** GPU shapes of one (GPU count, per-GPU milli): they see a node's GPUs alike and differ in CPU and models. */
export interface ShapeGroup {
  readonly gpuCount: number;
  readonly gpuMilli: number;
  readonly shapes: readonly PodShape[];
}

/** The target workload FGD measures fragmentation against: pod shapes and their popularity. */
export interface WorkloadShapes {
  readonly shapes: readonly PodShape[];
  /** The GPU shapes by (count, milli): a node's GPUs are read once per group, not once per shape. */
  readonly gpuGroups: readonly ShapeGroup[];
  /** Σ popularity of the CPU-only shapes. */
  readonly cpuOnlyPopularity: number;
}

/**
 * The shape with another popularity, built field by field as every shape is (one object layout keeps
 * the fragmentation loops' property reads monomorphic: a spread copy made them 30% slower).
 */
export const withPopularity = (shape: PodShape, popularity: number): PodShape => ({
  cpuMilli: shape.cpuMilli,
  gpuCount: shape.gpuCount,
  gpuMilli: shape.gpuMilli,
  gpuSpec: shape.gpuSpec,
  popularity,
});

/** Builds the workload (and its groups) from a list of shapes. */
export function toWorkloadShapes(shapes: readonly PodShape[]): WorkloadShapes {
  const groups = new Map<string, { gpuCount: number; gpuMilli: number; shapes: PodShape[] }>();
  let cpuOnlyPopularity = 0;
  for (const shape of shapes) {
    if (shape.gpuCount === 0) {
      cpuOnlyPopularity += shape.popularity;
      continue;
    }
    const key = `${shape.gpuCount}/${shape.gpuMilli}`;
    const group = groups.get(key) ?? { gpuCount: shape.gpuCount, gpuMilli: shape.gpuMilli, shapes: [] };
    group.shapes.push(shape);
    groups.set(key, group);
  }
  return { shapes, gpuGroups: [...groups.values()], cpuOnlyPopularity };
}

/**
 * The target workload of FGD (Weng et al., ATC '23, §3.2/§4): pods grouped by (CPU, GPU milli, GPU
 * count, GPU models), CPU-only pods included, each shape with its share of the trace's pods. By
 * default every shape is kept (the trace's pod-shape distribution); `coveragePct` < 100 keeps only
 * the most popular shapes until they cover that share of the pods (the simulator's "typical pods"
 * option; at 95 it drops every multi-GPU shape of the default trace, and FGD then breaks up the
 * empty 8-GPU nodes the 8-GPU pods need: docs/scheduler-fidelity.md). Popularity stays the share of
 * ALL pods. Memory is not part of a shape, as in the paper. Equal counts keep first-appearance
 * order, so the result is a pure function of the pod list.
 */
export function computeWorkloadShapes(
  pods: readonly PodRequest[],
  options: { readonly coveragePct: number } = { coveragePct: 100 },
): WorkloadShapes {
  const counts = new Map<string, { pod: PodRequest; count: number }>();
  for (const pod of pods) {
    const key = `${pod.cpuMilli}/${pod.gpuMilli}/${pod.gpuCount}/${pod.gpuSpec.join('|')}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { pod, count: 1 });
  }
  const ranked = [...counts.values()].sort((a, b) => b.count - a.count);
  const shapes: PodShape[] = [];
  let covered = 0;
  for (const { pod, count } of ranked) {
    if (covered >= (options.coveragePct / 100) * pods.length) break;
    covered += count;
    shapes.push({
      cpuMilli: pod.cpuMilli,
      gpuCount: pod.gpuCount,
      gpuMilli: pod.gpuMilli,
      gpuSpec: pod.gpuSpec,
      popularity: count / pods.length,
    });
  }
  return toWorkloadShapes(shapes);
}

/**
 * The FGD target workload exactly as the authors' Go simulator builds it (pkg/utils/frag.go
 * `GetTypicalPods`, with the generated cluster config's `podPopularityThreshold: 95`,
 * `podIncreaseStep: 1`, `isInvolvedCpuPods: true`, `gpuResWeight: 0`): shapes keyed by (CPU, per-GPU
 * milli, GPU count, GPU models), sorted by count descending (equal counts: larger CPU, then milli,
 * GPU count and model string first: `sort.Reverse` of `TargetPodList.Less`), the most popular kept
 * until they cover `thresholdPct` of the pods, then their popularities renormalised to sum to 1.
 */
export function goTypicalShapes(pods: readonly PodRequest[], thresholdPct = 95): WorkloadShapes {
  const counts = new Map<string, { pod: PodRequest; spec: string; count: number }>();
  for (const pod of pods) {
    const spec = pod.gpuSpec.join('|');
    const key = `${pod.cpuMilli}/${pod.gpuMilli}/${pod.gpuCount}/${spec}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { pod, spec, count: 1 });
  }
  const ranked = [...counts.values()].sort(
    (a, b) =>
      b.count - a.count ||
      b.pod.cpuMilli - a.pod.cpuMilli ||
      b.pod.gpuMilli - a.pod.gpuMilli ||
      b.pod.gpuCount - a.pod.gpuCount ||
      (a.spec < b.spec ? 1 : a.spec > b.spec ? -1 : 0),
  );
  const kept: typeof ranked = [];
  let covered = 0;
  for (const entry of ranked) {
    if (covered >= (thresholdPct / 100) * pods.length) break;
    covered += entry.count;
    kept.push(entry);
  }
  return toWorkloadShapes(
    kept.map(({ pod, count }) => ({
      cpuMilli: pod.cpuMilli,
      gpuCount: pod.gpuCount,
      gpuMilli: pod.gpuMilli,
      gpuSpec: pod.gpuSpec,
      popularity: count / covered,
    })),
  );
}

/** Which shapes a run's target workload keeps: `typical` the Go simulator's ({@link goTypicalShapes}), `all` every shape. */
export type ShapeSet = 'typical' | 'all';
export const SHAPE_SETS: readonly ShapeSet[] = ['typical', 'all'];

export const workloadShapesFor = (pods: readonly PodRequest[], set: ShapeSet): WorkloadShapes =>
  set === 'typical' ? goTypicalShapes(pods) : computeWorkloadShapes(pods);

/**
 * The share of the workload's GPU demand (popularity × GPU count × per-GPU milli) that multi-GPU
 * shapes ask; 0 for a workload without GPU shapes.
 */
export function multiGpuDemandShare(workload: WorkloadShapes): number {
  let all = 0;
  let multi = 0;
  for (const group of workload.gpuGroups) {
    for (const shape of group.shapes) {
      const demand = shape.popularity * group.gpuCount * group.gpuMilli;
      all += demand;
      if (group.gpuCount > 1) multi += demand;
    }
  }
  return all > 0 ? multi / all : 0;
}

/**
 * The workload as a node of `gpuModel` sees it: the shapes pinned to other GPU models left out (they
 * are no demand for its GPUs), the shapes pinned to models that include this one weighted up by
 * P / P_model (P the popularity of every pinned GPU shape, P_model of those this model can run), so
 * that every model sees the pinned demand at the same total weight, as the distribution of the pods
 * pinned to it. Unpinned and CPU-only shapes keep their popularity.
 */
export function workloadSeenBy(workload: WorkloadShapes, gpuModel: string): WorkloadShapes {
  const pinned = workload.shapes.filter((s) => s.gpuCount > 0 && s.gpuSpec.length > 0);
  const allPinned = pinned.reduce((sum, s) => sum + s.popularity, 0);
  const onModel = pinned.filter((s) => s.gpuSpec.includes(gpuModel)).reduce((sum, s) => sum + s.popularity, 0);
  const kept: PodShape[] = [];
  for (const shape of workload.shapes) {
    if (shape.gpuCount === 0 || shape.gpuSpec.length === 0) kept.push(shape);
    else if (shape.gpuSpec.includes(gpuModel))
      kept.push(withPopularity(shape, (shape.popularity * allPinned) / onModel));
  }
  return toWorkloadShapes(kept);
}
