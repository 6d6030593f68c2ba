/**
 * A simple per-node fragmentation measure for the node hints, meant to be swapped for the scheduler
 * simulator's FGD measure later (hints name the measure they used: FragmentationMeasure).
 *
 * `unusableFreeMilliForShapes`: of a node's free GPU capacity (milli per GPU), how much the common
 * pod shapes could NOT use, averaged over the shapes weighted by how common they are:
 * - a one-GPU fraction of m milli cannot use a GPU with less than m free;
 * - a request of k whole GPUs cannot use partly used GPUs, and cannot use anything when fewer than k
 *   GPUs are wholly free.
 * Free capacity no common shape can use is stranded: the GPU is paid for and nothing fits there.
 */

/** A pod shape: `gpus` GPUs at `milliPerGpu` each (1000 = whole), `weight` how common it is. */
export interface PodShape {
  readonly gpus: number;
  readonly milliPerGpu: number;
  readonly weight: number;
}

/**
 * The most common GPU shapes of the Alibaba openb default trace (shared/traces/openb,
 * openb_pod_list_default.csv; counts of GPU pods, fragmentation.test.ts recounts them): the six
 * commonest one-GPU shapes (91% of GPU pods) and the commonest multi-GPU one.
 */
export const OPENB_COMMON_SHAPES: readonly PodShape[] = [
  { gpus: 1, milliPerGpu: 1000, weight: 3911 },
  { gpus: 1, milliPerGpu: 810, weight: 1078 },
  { gpus: 1, milliPerGpu: 470, weight: 750 },
  { gpus: 1, milliPerGpu: 320, weight: 328 },
  { gpus: 1, milliPerGpu: 650, weight: 253 },
  { gpus: 1, milliPerGpu: 230, weight: 140 },
  { gpus: 8, milliPerGpu: 1000, weight: 44 },
];

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** Free milli on these GPUs that one shape cannot use. */
export const unusableFreeMilliForShape = (freeMilli: readonly number[], shape: PodShape): number => {
  if (shape.milliPerGpu >= 1000) {
    const wholeFree = freeMilli.filter((f) => f >= 1000).length;
    return wholeFree >= shape.gpus ? sum(freeMilli.filter((f) => f < 1000)) : sum(freeMilli);
  }
  return sum(freeMilli.filter((f) => f < shape.milliPerGpu));
};

/** Weighted mean over the shapes of the free milli each cannot use (0 when nothing is free). */
export const unusableFreeMilliForShapes = (
  freeMilli: readonly number[],
  shapes: readonly PodShape[] = OPENB_COMMON_SHAPES,
): number => {
  const total = sum(shapes.map((s) => s.weight));
  if (total <= 0) return 0;
  return sum(shapes.map((s) => s.weight * unusableFreeMilliForShape(freeMilli, s))) / total;
};
