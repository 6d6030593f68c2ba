import type { PodShape, ShapeGroup, WorkloadShapes } from './workload-shapes.ts';

/**
 * GPU fragmentation of a node (Weng et al., "Beware of Fragmentation", ATC '23, §3.2), in milli-GPU.
 *
 * Against one pod shape m, F_n(m) is the free GPU milli of node n that m cannot use:
 * - m cannot run on n at all (asks no GPU, its GPU models exclude n's, n lacks the CPU, or n has
 *   fewer than m's GPU count of GPUs with m's per-GPU milli free): every free GPU milli of n;
 * - otherwise: the free milli of the GPUs with less free than m's per-GPU request.
 * Against the workload M, F_n(M) = Σ_m popularity(m) · F_n(m). Memory is not part of it (the paper's
 * shapes have none). The node is given by its free CPU, per-GPU free milli and GPU model, so the same
 * function measures a hypothetical state (after a placement) without building a node.
 */
export function shapeFragmentationMilli(
  cpuLeftMilli: number,
  gpuFreeMilli: readonly number[],
  gpuModel: string,
  shape: Omit<PodShape, 'popularity'>,
): number {
  let total = 0;
  let unusable = 0;
  let usableGpus = 0;
  for (const free of gpuFreeMilli) {
    total += free;
    if (free >= shape.gpuMilli) usableGpus++;
    else unusable += free;
  }
  return runsOn(cpuLeftMilli, usableGpus, gpuModel, shape) ? unusable : total;
}

const runsOn = (cpuLeftMilli: number, usableGpus: number, gpuModel: string, shape: Omit<PodShape, 'popularity'>) =>
  shape.gpuCount > 0 &&
  cpuLeftMilli >= shape.cpuMilli &&
  usableGpus >= shape.gpuCount &&
  (shape.gpuSpec.length === 0 || shape.gpuSpec.includes(gpuModel));

/**
 * Σ_m popularity(m) · value(m) over the workload, a CPU-only shape's value being every free milli (it
 * can use none). `forGroup` reads the node's GPUs once for a (count, milli) group and returns the
 * value of each of the group's shapes: both fragmentation measures are written on it.
 */
export function sumOverShapesMilli(
  gpuFreeMilli: readonly number[],
  workload: WorkloadShapes,
  forGroup: (group: ShapeGroup, totalFreeMilli: number) => (shape: PodShape) => number,
): number {
  let total = 0;
  for (const free of gpuFreeMilli) total += free;
  let sum = workload.cpuOnlyPopularity * total;
  for (const group of workload.gpuGroups) {
    const valueOf = forGroup(group, total);
    for (const shape of group.shapes) sum += shape.popularity * valueOf(shape);
  }
  return sum;
}

/**
 * F_n(M): the node's fragmentation against the workload's shapes, weighted by popularity. Same value
 * as Σ popularity · {@link shapeFragmentationMilli}, reading the GPUs once per (count, milli) group.
 */
export function nodeFragmentationMilli(
  cpuLeftMilli: number,
  gpuFreeMilli: readonly number[],
  gpuModel: string,
  workload: WorkloadShapes,
): number {
  return sumOverShapesMilli(gpuFreeMilli, workload, (group, total) => {
    let unusable = 0;
    let usableGpus = 0;
    for (const free of gpuFreeMilli) {
      if (free >= group.gpuMilli) usableGpus++;
      else unusable += free;
    }
    return (shape) => (runsOn(cpuLeftMilli, usableGpus, gpuModel, shape) ? unusable : total);
  });
}
