import { describe, expect, it } from 'vitest';
import { newNodeState, placePod, type NodeSpec, type NodeState, type PodRequest } from '../cluster.ts';
import { toWorkloadShapes } from '../workload-shapes.ts';
import { bestFitPolicy } from './best-fit.ts';
import { dotProductPolicy } from './dot-product.ts';
import { fgdPolicy } from './fgd.ts';
import { gpuClusteringPolicy } from './gpu-clustering.ts';
import { gpuLedgerPolicy } from './gpu-ledger.ts';
import { gpuPackingPolicy } from './gpu-packing.ts';
import { POLICIES } from './index.ts';
import { randomPolicy } from './random.ts';

const spec = (name: string, cpuMilli: number, gpuCount: number, memoryMib = 65_536): NodeSpec => ({
  name,
  cpuMilli,
  memoryMib,
  gpuCount,
  gpuModel: 'T4',
});
const pod = (cpuMilli: number, gpuCount: number, gpuMilli: number, memoryMib = 1024): PodRequest => ({
  name: `p-${cpuMilli}-${gpuCount}-${gpuMilli}`,
  cpuMilli,
  memoryMib,
  gpuCount,
  gpuMilli,
  gpuSpec: [],
});
/** A node with pods already placed on the given GPUs. */
const nodeWith = (s: NodeSpec, placed: [PodRequest, number[]][] = []): NodeState => {
  const node = newNodeState(s);
  for (const [p, gpus] of placed) placePod(node, p, gpus);
  return node;
};
const NONE = toWorkloadShapes([]);

describe('fgd', () => {
  // The workload: 600-milli sharing pods only.
  const workload = toWorkloadShapes([{ cpuMilli: 1000, gpuCount: 1, gpuMilli: 600, gpuSpec: [], popularity: 1 }]);
  it('scores the fragmentation drop as floor(sigmoid(Δ/1000)·100) and picks the GPU that removes a fragment', () => {
    const empty = nodeWith(spec('a', 32_000, 2));
    // [1000,1000] → [500,1000]: F 0 → 500, Δ = −500: floor(100·sigmoid(−0.5)) = 37.
    expect(fgdPolicy.score(empty, pod(1000, 1, 500), workload)).toEqual({ score: 37, gpuChoices: [[0]] });
    const half = nodeWith(spec('b', 32_000, 2), [[pod(1000, 1, 500), [0]]]);
    // [500,1000]: F = 500. On GPU 0 → [0,1000]: F 0, Δ = +500 → 62; on GPU 1 → [500,500]: Δ = −500 → 37.
    expect(fgdPolicy.score(half, pod(1000, 1, 500), workload)).toEqual({ score: 62, gpuChoices: [[0]] });
  });
  it('does not score a node the pod does not fit', () => {
    expect(fgdPolicy.score(nodeWith(spec('a', 500, 2)), pod(1000, 1, 500), workload)).toBeNull();
  });
});

describe('gpu-ledger', () => {
  it('keeps CPU beside free GPUs where FGD sees no difference', () => {
    // Whole-GPU pods of 10 cores are the workload; a 30-core CPU-only pod arrives.
    const workload = toWorkloadShapes([{ cpuMilli: 10_000, gpuCount: 1, gpuMilli: 1000, gpuSpec: [], popularity: 1 }]);
    const cpuPoor = nodeWith(spec('g2', 40_000, 8));
    const cpuRich = nodeWith(spec('t4', 100_000, 2));
    const cpuPod = pod(30_000, 0, 0);
    expect(fgdPolicy.score(cpuPoor, cpuPod, workload)?.score).toBe(fgdPolicy.score(cpuRich, cpuPod, workload)?.score);
    // F* on the 8-GPU node: 4000 (CPU for 4 pods) → 7000 (CPU for 1): a drop of −3000; on the 2-GPU node 0.
    expect(gpuLedgerPolicy.score(cpuPoor, cpuPod, workload)?.score).toBeCloseTo(-3000, 6);
    expect(gpuLedgerPolicy.score(cpuRich, cpuPod, workload)?.score).toBe(0);
  });
});

describe('best-fit', () => {
  it('scores floor((1 − mean free CPU and GPU share after) · 100)', () => {
    // 24/32 cores and 1/2 GPUs left: mean 0.625 → 37. A node left with nothing: 100.
    expect(bestFitPolicy.score(nodeWith(spec('a', 32_000, 2)), pod(8000, 1, 1000), NONE)).toEqual({
      score: 37,
      gpuChoices: [[0]],
    });
    const full = nodeWith(spec('b', 16_000, 2), [[pod(8000, 1, 1000), [1]]]);
    expect(bestFitPolicy.score(full, pod(8000, 1, 1000), NONE)).toEqual({ score: 100, gpuChoices: [[0]] });
  });
  it('puts a sharing pod on the fullest GPU that fits', () => {
    const node = nodeWith(spec('a', 32_000, 3), [
      [pod(1000, 1, 300), [0]],
      [pod(1000, 1, 600), [2]],
    ]);
    expect(bestFitPolicy.score(node, pod(1000, 1, 400), NONE)?.gpuChoices).toEqual([[2]]);
  });
});

describe('dot-product', () => {
  it('prefers the node whose free resources the request meets most tightly', () => {
    const p = pod(8000, 1, 1000, 16_384);
    // empty: 0.25·1 + 0.25·1 + 0.5·1 = 1.0; half-used: 0.25·0.5 + 0.25·1 + 0.5·0.5 = 0.625
    const empty = nodeWith(spec('a', 32_000, 2));
    const half = nodeWith(spec('b', 32_000, 2), [[pod(16_000, 1, 1000, 0), [0]]]);
    expect(dotProductPolicy.score(empty, p, NONE)?.score).toBeCloseTo(-1, 12);
    expect(dotProductPolicy.score(half, p, NONE)?.score).toBeCloseTo(-0.625, 12);
  });
});

describe('gpu-packing', () => {
  it('ranks occupied GPUs over idle GPUs of active nodes over idle nodes', () => {
    const idle = nodeWith(spec('a', 32_000, 2));
    const active = nodeWith(spec('b', 32_000, 2), [[pod(1000, 1, 1000), [0]]]);
    const shared = nodeWith(spec('c', 32_000, 2), [[pod(1000, 1, 300), [1]]]);
    const p = pod(1000, 1, 500);
    expect(gpuPackingPolicy.score(idle, p, NONE)).toEqual({ score: 0, gpuChoices: [[0]] });
    expect(gpuPackingPolicy.score(active, p, NONE)).toEqual({ score: 1, gpuChoices: [[1]] });
    expect(gpuPackingPolicy.score(shared, p, NONE)).toEqual({ score: 2, gpuChoices: [[1]] });
  });
});

describe('gpu-clustering', () => {
  it('ranks nodes of the same GPU request over mixed nodes over empty nodes', () => {
    const p = pod(1000, 1, 500);
    const same = nodeWith(spec('a', 32_000, 2), [[pod(1000, 1, 500), [0]]]);
    const mixed = nodeWith(spec('b', 32_000, 2), [[pod(1000, 1, 300), [0]]]);
    expect(gpuClusteringPolicy.score(same, p, NONE)?.score).toBe(2);
    expect(gpuClusteringPolicy.score(mixed, p, NONE)?.score).toBe(1);
    expect(gpuClusteringPolicy.score(nodeWith(spec('c', 32_000, 2)), p, NONE)?.score).toBe(0);
  });
});

describe('random', () => {
  it('offers every GPU with room to a sharing pod, and the same score everywhere', () => {
    const node = nodeWith(spec('a', 32_000, 3), [[pod(1000, 1, 800), [1]]]);
    expect(randomPolicy.score(node, pod(1000, 1, 500), NONE)).toEqual({ score: 0, gpuChoices: [[0], [2]] });
    expect(randomPolicy.score(node, pod(1000, 2, 1000), NONE)).toEqual({ score: 0, gpuChoices: [[0, 2]] });
  });
});

it('registers every policy under its id', () => {
  expect(Object.keys(POLICIES)).toEqual([
    'random',
    'dot-product',
    'gpu-clustering',
    'gpu-packing',
    'best-fit',
    'fgd',
    'gpu-ledger',
  ]);
});
