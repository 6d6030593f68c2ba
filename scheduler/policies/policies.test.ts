import { describe, expect, it } from 'vitest';
import { newNodeState, placePod, type NodeSpec, type NodeState, type PodRequest } from '../cluster.ts';
import { toWorkloadShapes } from '../workload-shapes.ts';
import { bestFitPolicy } from './best-fit.ts';
import { dotProductPolicy } from './dot-product.ts';
import { fgdPolicy, fgdScoreOf } from './fgd.ts';
import { gpuClusteringPolicy } from './gpu-clustering.ts';
import { gpuLedgerPolicy, repeatWeightOf } from './gpu-ledger.ts';
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
  it('weights the single-GPU shapes’ F* terms by their share of the GPU demand, the multi-GPU ones fully', () => {
    // Half the pods ask 1 GPU, half 2 GPUs (10 cores each): multi-GPU demand 1000 of 1500, weight 1/3.
    const workload = toWorkloadShapes([
      { cpuMilli: 10_000, gpuCount: 1, gpuMilli: 1000, gpuSpec: [], popularity: 0.5 },
      { cpuMilli: 10_000, gpuCount: 2, gpuMilli: 1000, gpuSpec: [], popularity: 0.5 },
    ]);
    expect(repeatWeightOf(workload)).toBeCloseTo(1 / 3, 12);
    // 30 cores of a 40-core 8-GPU node: F stays 0 (10 cores left fit either shape). F*: the 1-GPU shape
    // 4000 → 7000 (−3000), the 2-GPU shape 0 → 6000 (CPU for one pair: −6000):
    // ⅓·½·(−3000) + ½·(−6000) = −3500.
    expect(gpuLedgerPolicy.score(nodeWith(spec('g2', 40_000, 8)), pod(30_000, 0, 0), workload)?.score).toBeCloseTo(
      -3500,
      6,
    );
  });
  it('counts nothing for a shape pinned to another GPU model (FGD counts every free milli), the pinned ones at full weight', () => {
    // Unpinned whole GPUs, and pods pinned to G2 (5 times the pods pinned to P100, as a fleet of 5 times
    // the G2 GPUs would draw them). An unpinned whole-GPU pod on an empty node: FGD's drop is 1000 ×
    // the popularity that cannot run there (the other model's pinned pods), so it sends the pod to the
    // rare P100, whose pinned pods then find it full; gpu-ledger sees no drop on either.
    const pinned = (gpuModel: string, popularity: number) => ({
      cpuMilli: 1000,
      gpuCount: 1,
      gpuMilli: 1000,
      gpuSpec: [gpuModel],
      popularity,
    });
    const workload = toWorkloadShapes([
      { cpuMilli: 1000, gpuCount: 1, gpuMilli: 1000, gpuSpec: [], popularity: 0.4 },
      pinned('G2', 0.5),
      pinned('P100', 0.1),
    ]);
    const p100 = nodeWith({ ...spec('p100', 32_000, 2), gpuModel: 'P100' });
    const g2 = nodeWith({ ...spec('g2', 32_000, 2), gpuModel: 'G2' });
    const wholeGpu = pod(1000, 1, 1000);
    expect(fgdPolicy.score(p100, wholeGpu, workload)?.score).toBe(fgdScoreOf(500));
    expect(fgdPolicy.score(g2, wholeGpu, workload)?.score).toBe(fgdScoreOf(100));
    expect(gpuLedgerPolicy.score(p100, wholeGpu, workload)?.score).toBe(0);
    expect(gpuLedgerPolicy.score(g2, wholeGpu, workload)?.score).toBe(0);
    // A P100 node sees the unpinned shapes and, at the whole pinned popularity (0.6), the P100 ones.
    const half = nodeWith({ ...spec('p100', 32_000, 2), gpuModel: 'P100' }, [[pod(1000, 1, 500), [0]]]);
    const sharing = pod(1000, 1, 300);
    const seenByP100 = toWorkloadShapes([
      { cpuMilli: 1000, gpuCount: 1, gpuMilli: 1000, gpuSpec: [], popularity: 0.4 },
      pinned('P100', 0.6),
    ]);
    const score = gpuLedgerPolicy.score(half, sharing, workload)?.score;
    expect(score).toBeCloseTo(gpuLedgerPolicy.score(half, sharing, seenByP100)!.score, 9);
    // On the fuller GPU, [500, 1000] → [200, 1000]: for both whole-GPU shapes F 500 → 200 and F*
    // 1500 − 1000 → 1200 − 1000, a drop of 600 at weight 0.4 + 0.6 (without the reweighting, 0.4 + 0.1: 300).
    expect(score).toBeCloseTo(600, 6);
  });
});

describe('best-fit', () => {
  it('scores int((1 − ½ CPU left/128 cores − ½ GPU left/8 GPUs) · 100), after the placement', () => {
    // 24 cores and 1 GPU left: ½·24/128 + ½·1/8 = 0.15625 → 84. A node left with nothing: 100.
    expect(bestFitPolicy.score(nodeWith(spec('a', 32_000, 2)), pod(8000, 1, 1000), NONE)).toEqual({
      score: 84,
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
  it('scores int((1 − ½ request·free over 128 cores and 8 GPUs) · 100): the tighter node wins', () => {
    const p = pod(8000, 1, 1000, 16_384);
    // empty: (1/16·1/4 + 1/8·1/4)/2 = 0.0234 → 97; half-used: (1/16·1/8 + 1/8·1/8)/2 = 0.0117 → 98
    const empty = nodeWith(spec('a', 32_000, 2));
    const half = nodeWith(spec('b', 32_000, 2), [[pod(16_000, 1, 1000, 0), [0]]]);
    expect(dotProductPolicy.score(empty, p, NONE)?.score).toBe(97);
    expect(dotProductPolicy.score(half, p, NONE)?.score).toBe(98);
  });
});

describe("gpu-packing (the authors' getPackingScore)", () => {
  it('ranks shared GPUs (fuller first) over free GPUs of used nodes over idle nodes (smaller first)', () => {
    const p = pod(1000, 1, 500);
    // idle: max(33 − 2, 2) = 31; an idle 8-GPU node 25.
    expect(gpuPackingPolicy.score(nodeWith(spec('a', 32_000, 2)), p, NONE)).toEqual({ score: 31, gpuChoices: [[0]] });
    expect(gpuPackingPolicy.score(nodeWith(spec('a8', 96_000, 8)), p, NONE)?.score).toBe(25);
    // used node, only a fully free GPU fits: max(50 − 1, 33) = 49.
    const active = nodeWith(spec('b', 32_000, 2), [[pod(1000, 1, 1000), [0]]]);
    expect(gpuPackingPolicy.score(active, p, NONE)).toEqual({ score: 49, gpuChoices: [[1]] });
    // a shared GPU with 700 free: 100 − ⌊70/10⌋ = 93; with 600 free (fuller) 94.
    const shared = nodeWith(spec('c', 32_000, 2), [[pod(1000, 1, 300), [1]]]);
    expect(gpuPackingPolicy.score(shared, p, NONE)).toEqual({ score: 93, gpuChoices: [[1]] });
    const fuller = nodeWith(spec('d', 32_000, 2), [[pod(1000, 1, 400), [1]]]);
    expect(gpuPackingPolicy.score(fuller, p, NONE)?.score).toBe(94);
  });
  it('scores a whole-GPU pod by the free GPUs it takes, and a CPU-only pod 0 everywhere', () => {
    const used = nodeWith(spec('a', 96_000, 8), [[pod(1000, 1, 300), [0]]]);
    expect(gpuPackingPolicy.score(used, pod(1000, 2, 1000), NONE)?.score).toBe(48);
    expect(gpuPackingPolicy.score(used, pod(1000, 0, 0), NONE)?.score).toBe(0);
  });
});

describe("gpu-clustering (the authors' score plugin)", () => {
  it('ranks nodes of only this pod kind, then mixed, then idle, then other kinds; fuller first within', () => {
    const p = pod(1000, 1, 500);
    // Every sharing pod is one kind: 75 + ⌊25·(8000 − 1500)/8000⌋ = 95; with a 300 instead 75 + 19 = 94.
    expect(gpuClusteringPolicy.score(nodeWith(spec('a', 32_000, 2), [[pod(1000, 1, 500), [0]]]), p, NONE)?.score).toBe(
      95,
    );
    expect(gpuClusteringPolicy.score(nodeWith(spec('b', 32_000, 2), [[pod(1000, 1, 300), [0]]]), p, NONE)?.score).toBe(
      94,
    );
    // sharing and 1-GPU pods: 50 + ⌊25·5500/8000⌋ = 67.
    const mixed = nodeWith(spec('c', 32_000, 4), [
      [pod(1000, 1, 500), [0]],
      [pod(1000, 1, 1000), [1]],
    ]);
    expect(gpuClusteringPolicy.score(mixed, p, NONE)?.score).toBe(67);
    // idle: 25 + ⌊25·6000/8000⌋ = 43; only a 1-GPU pod: 0 + ⌊25·7000/8000⌋ = 21.
    expect(gpuClusteringPolicy.score(nodeWith(spec('d', 32_000, 2)), p, NONE)?.score).toBe(43);
    const other = nodeWith(spec('e', 32_000, 2), [[pod(1000, 1, 1000), [0]]]);
    expect(gpuClusteringPolicy.score(other, p, NONE)?.score).toBe(21);
    expect(gpuClusteringPolicy.score(other, pod(1000, 0, 0), NONE)?.score).toBe(0);
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
