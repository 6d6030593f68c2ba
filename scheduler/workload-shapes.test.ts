import { describe, expect, it } from 'vitest';
import type { PodRequest } from './cluster.ts';
import { goTypicalShapes } from './workload-shapes.ts';

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
