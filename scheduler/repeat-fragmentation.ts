import { sumOverShapesMilli } from './fragmentation.ts';
import type { PodShape, WorkloadShapes } from './workload-shapes.ts';

/**
 * GPU Ledger's fragmentation measure: FGD's F_n(m) (./fragmentation.ts) asks whether ONE more pod of
 * shape m fits; this one asks how much of the node's free GPU a stream of m-pods could use, with the
 * node's free CPU shared among them. With k_m the number of m-pods the node can still take at once
 * (limited by its free CPU, and by its GPUs: Σ_g ⌊free_g / milli_m⌋ for a sharing shape, ⌊whole free
 * GPUs / count_m⌋ otherwise), F*_n(m) = free GPU milli − k_m · count_m · milli_m. It sees what the
 * one-pod measure misses: a node whose CPU will run out before its free GPUs are used (an 8-GPU node
 * left with CPU for three 11-core pods), and a GPU whose free share takes one pod of m but wastes
 * the rest. Where the one-pod measure says "cannot run" (no GPU asked, model excluded, too little
 * CPU or GPU), k_m is 0 and both measures agree: all free GPU milli.
 */
export function repeatFragmentationMilli(
  cpuLeftMilli: number,
  gpuFreeMilli: readonly number[],
  gpuModel: string,
  shape: Omit<PodShape, 'popularity'>,
): number {
  let total = 0;
  let slots = 0;
  for (const free of gpuFreeMilli) {
    total += free;
    slots += shape.gpuCount === 1 ? Math.floor(free / shape.gpuMilli) : free >= shape.gpuMilli ? 1 : 0;
  }
  if (shape.gpuCount === 0 || (shape.gpuSpec.length > 0 && !shape.gpuSpec.includes(gpuModel))) return total;
  const byGpu = shape.gpuCount === 1 ? slots : Math.floor(slots / shape.gpuCount);
  const byCpu = shape.cpuMilli > 0 ? Math.floor(cpuLeftMilli / shape.cpuMilli) : byGpu;
  return total - Math.min(byGpu, byCpu) * shape.gpuCount * shape.gpuMilli;
}

/** F*_n(M) = Σ_m popularity(m) · F*_n(m), reading the GPUs once per (count, milli) group. */
export function nodeRepeatFragmentationMilli(
  cpuLeftMilli: number,
  gpuFreeMilli: readonly number[],
  gpuModel: string,
  workload: WorkloadShapes,
): number {
  return sumOverShapesMilli(gpuFreeMilli, workload, (group, total) => {
    let slots = 0;
    for (const free of gpuFreeMilli) {
      slots += group.gpuCount === 1 ? Math.floor(free / group.gpuMilli) : free >= group.gpuMilli ? 1 : 0;
    }
    const byGpu = group.gpuCount === 1 ? slots : Math.floor(slots / group.gpuCount);
    return (shape) => {
      const allowed = shape.gpuSpec.length === 0 || shape.gpuSpec.includes(gpuModel);
      const byCpu = shape.cpuMilli > 0 ? Math.floor(cpuLeftMilli / shape.cpuMilli) : byGpu;
      return total - (allowed ? Math.min(byGpu, byCpu) * shape.gpuCount * shape.gpuMilli : 0);
    };
  });
}
