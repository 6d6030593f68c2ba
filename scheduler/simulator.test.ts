import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GPU_MILLI, newNodeState, placePod, type NodeSpec, type PodRequest } from './cluster.ts';
import { POLICIES } from './policies/index.ts';
import { TIE_BREAKS, type PlacementPolicy } from './policy.ts';
import { createRandomSource } from './random-source.ts';
import { goSeedOrder } from './go-seed-order.ts';
import { SEED_ORDERS, simulate } from './simulator.ts';
import { inflateWorkload } from './workload-inflation.ts';
import { computeWorkloadShapes } from './workload-shapes.ts';

const MODELS = ['T4', 'G2'];
const nodeArb = fc.record({
  cpuMilli: fc.integer({ min: 1, max: 64 }).map((c) => c * 1000),
  memoryMib: fc.integer({ min: 1, max: 64 }).map((g) => g * 1024),
  gpuCount: fc.constantFrom(1, 2, 4, 8),
  gpuModel: fc.constantFrom(...MODELS),
});
const podArb = fc
  .oneof(
    fc.record({ gpuCount: fc.constant(0), gpuMilli: fc.constant(0) }),
    fc.record({ gpuCount: fc.constant(1), gpuMilli: fc.integer({ min: 1, max: 1000 }) }),
    fc.record({ gpuCount: fc.constantFrom(2, 4, 8), gpuMilli: fc.constant(1000) }),
  )
  .chain((gpu) =>
    fc.record({
      cpuMilli: fc.integer({ min: 0, max: 40_000 }),
      memoryMib: fc.integer({ min: 0, max: 40_000 }),
      gpuSpec: fc.subarray(MODELS, { maxLength: 1 }),
      gpuCount: fc.constant(gpu.gpuCount),
      gpuMilli: fc.constant(gpu.gpuMilli),
    }),
  );

describe('simulate: no placement ever exceeds a node (property)', () => {
  it('keeps CPU, memory, GPU count and every GPU within capacity, for every policy', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 1, maxLength: 6 }),
        fc.array(podArb, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...Object.keys(POLICIES)),
        fc.constantFrom(...TIE_BREAKS),
        fc.constantFrom(...SEED_ORDERS),
        fc.integer(),
        (nodeParts, podParts, policyId, tieBreak, order, seed) => {
          const nodes: NodeSpec[] = nodeParts.map((n, i) => ({ ...n, name: `n${i}` }));
          const pods: PodRequest[] = podParts.map((p, i) => ({ ...p, name: `p${i}` }));
          if (pods.every((p) => p.gpuCount === 0)) return;
          const result = simulate({
            nodes,
            pods,
            policy: POLICIES[policyId]!,
            workload: computeWorkloadShapes(pods),
            seed,
            tieBreak,
            order,
          });
          let freeGpuMilli = 0;
          for (const node of result.nodes) {
            expect(node.cpuLeftMilli).toBeGreaterThanOrEqual(0);
            expect(node.memoryLeftMib).toBeGreaterThanOrEqual(0);
            expect(node.gpuFreeMilli).toHaveLength(node.spec.gpuCount);
            for (const free of node.gpuFreeMilli) {
              expect(free).toBeGreaterThanOrEqual(0);
              expect(free).toBeLessThanOrEqual(GPU_MILLI);
            }
            freeGpuMilli += node.gpuFreeMilli.reduce((a, b) => a + b, 0);
          }
          // What the nodes lost is exactly what the placed pods asked.
          const asked = (ps: readonly PodRequest[]) => ps.reduce((s, p) => s + p.gpuCount * p.gpuMilli, 0);
          const inflated =
            order === 'go'
              ? goSeedOrder(pods, nodes, result.capacityGpuMilli, 1.3, seed).arrivals
              : inflateWorkload(pods, result.capacityGpuMilli, 1.3, createRandomSource(seed));
          expect(result.capacityGpuMilli - freeGpuMilli).toBe(asked(inflated) - asked(result.failed));
          expect(result.placedPods + result.failedPods).toBe(inflated.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses an overcommit instead of placing it', () => {
    const node = newNodeState({ name: 'n', cpuMilli: 8000, memoryMib: 1024, gpuCount: 2, gpuModel: 'T4' });
    const sharing = { name: 's', cpuMilli: 1000, memoryMib: 10, gpuCount: 1, gpuMilli: 700, gpuSpec: [] };
    placePod(node, sharing, [0]);
    expect(() => placePod(node, sharing, [0])).toThrow(/overcommit: s on n GPU 0/);
    expect(() => placePod(node, { ...sharing, cpuMilli: 8000 }, [1])).toThrow(/cpu or memory/);
    expect(() => placePod(node, { ...sharing, gpuCount: 2, gpuMilli: 1000 }, [1])).toThrow(/names 1 GPUs/);
    expect(() => placePod(node, { ...sharing, gpuSpec: ['V100M16'] }, [1])).toThrow(/does not allow T4/);
  });
});

describe('simulate: ties', () => {
  const tied: PlacementPolicy = {
    id: 'tied',
    description: 'every node scores 0',
    score: () => ({ score: 0, gpuChoices: [[]] }),
  };
  const nodes: NodeSpec[] = ['c', 'a', 'b'].map((name) => ({
    name,
    cpuMilli: 1e6,
    memoryMib: 1e6,
    gpuCount: 1,
    gpuModel: 'T4',
  }));
  const pods: PodRequest[] = [
    { name: 'g', cpuMilli: 1, memoryMib: 1, gpuCount: 1, gpuMilli: 1000, gpuSpec: [] },
    ...Array.from({ length: 60 }, (_, i) => ({
      name: `c${i}`,
      cpuMilli: 1,
      memoryMib: 1,
      gpuCount: 0,
      gpuMilli: 0,
      gpuSpec: [],
    })),
  ];
  const run = (tieBreak: 'name' | 'random', policy = tied) =>
    simulate({
      nodes,
      pods,
      policy,
      workload: computeWorkloadShapes(pods),
      seed: 7,
      tieBreak,
      arrivals: pods.slice(1),
    });
  it("go to the smallest node name (the authors' selectHost), whatever the nodes' order", () => {
    expect(new Set(run('name').placements.map((p) => p.node))).toEqual(new Set([1]));
  });
  it('go to a node picked at random with tieBreak random, or for a policy that picks at random itself', () => {
    expect(new Set(run('random').placements.map((p) => p.node))).toEqual(new Set([0, 1, 2]));
    expect(new Set(run('name', POLICIES['random']).placements.map((p) => p.node))).toEqual(new Set([0, 1, 2]));
  });
});

describe('inflateWorkload', () => {
  const p = (gpuCount: number, gpuMilli: number, i: number): PodRequest => ({
    name: `p${i}`,
    cpuMilli: 1000,
    memoryMib: 1,
    gpuCount,
    gpuMilli,
    gpuSpec: [],
  });
  it('tops the pods up by sampling with replacement to the ratio of the capacity', () => {
    const pods = [p(1, 500, 0), p(1, 1000, 1), p(0, 0, 2)];
    const out = inflateWorkload(pods, 10_000, 1.3, createRandomSource(1));
    const total = out.reduce((s, x) => s + x.gpuCount * x.gpuMilli, 0);
    expect(total).toBeGreaterThanOrEqual(13_000);
    expect(total - (out.at(-1)!.gpuCount * out.at(-1)!.gpuMilli || 0)).toBeLessThan(13_000);
    for (const pod of pods) expect(out).toContain(pod);
  });
  it('thins a trace above the ratio to the shortest prefix that reaches it', () => {
    const pods = Array.from({ length: 40 }, (_, i) => p(1, 1000, i));
    expect(inflateWorkload(pods, 10_000, 1.3, createRandomSource(1))).toHaveLength(13);
  });
});
