import { describe, expect, it } from 'vitest';
import type { NodeSpec, PodRequest } from './cluster.ts';
import { createGoRand } from './go-math-rand.ts';
import { goSeedOrder } from './go-seed-order.ts';
import { POLICIES } from './policies/index.ts';
import { simulate } from './simulator.ts';
import { computeWorkloadShapes } from './workload-shapes.ts';

// Expected values printed by Go's math/rand (go1.26, `rand.New(rand.NewSource(seed))`, whose stream
// Go keeps stable since Go 1): the program is in the comment of each case.
describe("createGoRand: Go's math/rand, value for value", () => {
  it('Int63, Intn, Shuffle and Perm as Go gives them for seeds 42 and -7', () => {
    // r.Int63(), r.Int63(), r.Intn(8152), r.Intn(1000), r.Intn(7); r.Shuffle of 0..19; r.Intn(8152), r.Intn(3)
    const r = createGoRand(42);
    expect([r.int63(), r.int63()].map(String)).toEqual(['3440579354231278675', '608747136543856411']);
    expect([r.intn(8152), r.intn(1000), r.intn(7)]).toEqual([4996, 750, 5]);
    const shuffled = r.shuffle(Array.from({ length: 20 }, (_, i) => i));
    expect(shuffled).toEqual([13, 2, 9, 14, 0, 18, 8, 5, 16, 12, 19, 1, 4, 3, 11, 10, 17, 6, 15, 7]);
    expect([r.intn(8152), r.intn(3)]).toEqual([5136, 2]);
    const negative = createGoRand(-7);
    expect(String(negative.int63())).toBe('747107023976529931');
    // r.Perm(10), r.Perm(1213)[:8], r.Int63() on a fresh seed 42
    const p = createGoRand(42);
    expect(p.perm(10)).toEqual([7, 5, 8, 9, 2, 1, 6, 0, 3, 4]);
    expect(p.perm(1213).slice(0, 8)).toEqual([336, 802, 781, 1010, 532, 701, 771, 323]);
    expect(String(p.int63())).toBe('4193729094016580954');
  });
});

describe('goSeedOrder: what a seed decides in the authors Go simulator', () => {
  const pod = (name: string, gpuCount: number, gpuMilli: number): PodRequest => ({
    name,
    cpuMilli: 1000,
    memoryMib: 1,
    gpuCount,
    gpuMilli,
    gpuSpec: [],
  });
  // File order (not name order): the top-up draws index the file order, the shuffle the name order.
  const trace = [pod('p3', 1, 500), pod('p1', 0, 0), pod('p0', 2, 1000), pod('p2', 1, 1000), pod('p4', 1, 250)];
  const node = (name: string): NodeSpec => ({ name, cpuMilli: 8000, memoryMib: 64, gpuCount: 1, gpuModel: 'T4' });
  const nodes = ['n-b', 'n-e', 'n-c', 'n-a', 'n-d'].map(node);
  // Go, seed s: r.Int(); sort by name; r.Shuffle; tuneUpPods to 1.3 × 4000 milli; 10 × r.Float64();
  // sort node names; r.Perm(5); "%04d-" prefixes. Seed 42 printed
  //   p1 p3 p4 p2 p0 p3 (4250 milli)    [0000-n-a 0001-n-b 0003-n-c 0002-n-d 0004-n-e]
  // and seed 7
  //   p3 p4 p2 p0 p1 p2 (4750 milli)    [0003-n-a 0004-n-b 0002-n-c 0000-n-d 0001-n-e]
  it('shuffles the trace by name, appends the top-up copies, and stops at the first draw past the target', () => {
    const order = goSeedOrder(trace, nodes, 4000, 1.3, 42);
    expect(order.arrivals.map((p) => p.name)).toEqual(['p1', 'p3', 'p4', 'p2', 'p0', 'p3']);
    expect(goSeedOrder(trace, nodes, 4000, 1.3, 7).arrivals.map((p) => p.name)).toEqual([
      'p3',
      'p4',
      'p2',
      'p0',
      'p1',
      'p2',
    ]);
  });
  it("ranks the nodes by the names Go gives them (random prefix), not the trace's names", () => {
    // nodes (by index): n-b n-e n-c n-a n-d; seed 42 names 0001-n-b 0004-n-e 0003-n-c 0000-n-a 0002-n-d
    expect([...goSeedOrder(trace, nodes, 4000, 1.3, 42).nodeRanks]).toEqual([1, 4, 3, 0, 2]);
    // seed 7: 0004-n-b 0001-n-e 0002-n-c 0003-n-a 0000-n-d
    expect([...goSeedOrder(trace, nodes, 4000, 1.3, 7).nodeRanks]).toEqual([4, 1, 2, 3, 0]);
  });
  it('thins a trace above the target by removing pods at drawn positions', () => {
    const heavy = Array.from({ length: 12 }, (_, i) => pod(`p${String(i).padStart(2, '0')}`, 1, 1000));
    const { arrivals } = goSeedOrder(heavy, nodes, 5000, 1.3, 42);
    expect(arrivals).toHaveLength(6);
    expect(new Set(arrivals).size).toBe(6);
  });

  it("sends gpu-packing's CPU-only pods (score 0 on every node) to the lowest Go name, which the seed moves", () => {
    const pods = [pod('g', 1, 1000), ...Array.from({ length: 3 }, (_, i) => pod(`c${i}`, 0, 0))];
    const roomy = nodes.map((n) => ({ ...n, cpuMilli: 1e6 }));
    const cpuOnlyNodes = (seed: number, order: 'go' | 'shuffle') =>
      new Set(
        simulate({
          nodes: roomy,
          pods,
          policy: POLICIES['gpu-packing']!,
          workload: computeWorkloadShapes(pods),
          seed,
          order,
        })
          .placements.filter((p) => p.pod.gpuCount === 0)
          .map((p) => p.node),
      );
    // Every CPU-only pod fits every node, so each goes to the rank-0 node: under Go's names the node
    // goSeedOrder ranks first (n-a for seed 7, n-d for seed 42 here), under the trace's names n-a.
    const first = (seed: number) => goSeedOrder(pods, roomy, 5000, 1.3, seed).nodeRanks.indexOf(0);
    expect([first(42), first(7)]).toEqual([4, 3]);
    expect(cpuOnlyNodes(42, 'go')).toEqual(new Set([4]));
    expect(cpuOnlyNodes(7, 'go')).toEqual(new Set([3]));
    expect(cpuOnlyNodes(42, 'shuffle')).toEqual(new Set([3]));
  });
});
