import { describe, expect, it } from 'vitest';
import type { PodRequest } from './cluster.ts';
import { goTypicalShapes, multiGpuDemandShare, workloadSeenBy, toWorkloadShapes } from './workload-shapes.ts';

const pods = (count: number, cpuMilli: number, gpuCount = 1, gpuMilli = 500, memoryMib = 1): PodRequest[] =>
  Array.from({ length: count }, (_, i) => ({
    name: `p${cpuMilli}-${i}`,
    cpuMilli,
    memoryMib: memoryMib + i, // memory is no part of a shape
    gpuCount,
    gpuMilli,
    gpuSpec: [],
  }));

describe("goTypicalShapes: the Go simulator's GetTypicalPods at a 95% popularity threshold", () => {
  it('keeps the most popular shapes until they cover 95% of the pods, equal counts larger CPU first, renormalised', () => {
    // 20 pods: A×10, B×7, then three shapes of one pod each (CPU 2000, 1000, 500). 95% of 20 = 19:
    // A (10) and B (17) fall short, the tied singles enter larger CPU first: 2000 (18), 1000 (19): stop.
    const trace = [...pods(7, 8000), ...pods(1, 500), ...pods(10, 4000, 0, 0), ...pods(1, 1000), ...pods(1, 2000)];
    const shapes = goTypicalShapes(trace).shapes;
    expect(shapes.map((s) => [s.cpuMilli, s.gpuCount])).toEqual([
      [4000, 0],
      [8000, 1],
      [2000, 1],
      [1000, 1],
    ]);
    expect(shapes.map((s) => s.popularity)).toEqual([10 / 19, 7 / 19, 1 / 19, 1 / 19]);
  });
  it('keeps every shape at threshold 100, shares of all pods', () => {
    const shapes = goTypicalShapes([...pods(3, 1000), ...pods(1, 2000)], 100).shapes;
    expect(shapes.map((s) => s.popularity)).toEqual([3 / 4, 1 / 4]);
  });
});

describe('multiGpuDemandShare and workloadSeenBy', () => {
  const shape = (gpuCount: number, gpuMilli: number, popularity: number, gpuSpec: string[] = []) => ({
    cpuMilli: 1000,
    gpuCount,
    gpuMilli,
    gpuSpec,
    popularity,
  });
  const workload = toWorkloadShapes([
    shape(0, 0, 0.2),
    shape(1, 500, 0.4),
    shape(1, 1000, 0.2, ['T4']),
    shape(8, 1000, 0.1),
    shape(2, 1000, 0.1, ['G2']),
  ]);
  it('is the multi-GPU shapes’ share of popularity × GPUs × milli', () => {
    // Demand: 0.4·500 + 0.2·1000 + 0.1·8000 + 0.1·2000 = 200 + 200 + 800 + 200 = 1400; multi 1000.
    expect(multiGpuDemandShare(workload)).toBeCloseTo(1000 / 1400, 12);
    expect(multiGpuDemandShare(toWorkloadShapes([shape(0, 0, 1)]))).toBe(0);
  });
  const round = (x: number) => Math.round(x * 1e9) / 1e9;
  it('leaves out the shapes pinned to other models and gives those pinned to this one the whole pinned weight', () => {
    // Pinned: 0.2 (T4) + 0.1 (G2) = 0.3. On a T4 node the T4 shape carries 0.3, on a G2 node the G2 one.
    const onT4 = workloadSeenBy(workload, 'T4');
    expect(onT4.shapes.map((s) => [s.gpuCount, round(s.popularity)])).toEqual([
      [0, 0.2],
      [1, 0.4],
      [1, 0.3],
      [8, 0.1],
    ]);
    expect(onT4.cpuOnlyPopularity).toBe(0.2);
    expect(workloadSeenBy(workload, 'G2').shapes.map((s) => round(s.popularity))).toEqual([0.2, 0.4, 0.1, 0.3]);
    expect(workloadSeenBy(workload, 'P100').shapes).toHaveLength(3);
  });
});
