import { describe, expect, it } from 'vitest';
import { nodeFragmentationMilli, shapeFragmentationMilli } from './fragmentation.ts';
import { nodeRepeatFragmentationMilli, repeatFragmentationMilli } from './repeat-fragmentation.ts';
import { toWorkloadShapes, type PodShape } from './workload-shapes.ts';

const shape = (cpuMilli: number, gpuCount: number, gpuMilli: number, popularity = 0, gpuSpec: string[] = []) =>
  ({ cpuMilli, gpuCount, gpuMilli, gpuSpec, popularity }) satisfies PodShape;

// A T4 node with 10 cores free and two GPUs: one free, one with 300 milli left.
const CPU = 10_000;
const GPUS = [1000, 300];

describe('FGD fragmentation F_n(m) (Weng et al. §3.2), computed by hand', () => {
  it('counts the free milli of GPUs too small for the shape when the shape fits the node', () => {
    expect(shapeFragmentationMilli(CPU, GPUS, 'T4', shape(4000, 1, 500))).toBe(300);
    expect(shapeFragmentationMilli(CPU, GPUS, 'T4', shape(1000, 1, 200))).toBe(0);
    expect(shapeFragmentationMilli(CPU, GPUS, 'T4', shape(4000, 1, 1000))).toBe(300);
  });

  it('counts every free milli when the shape cannot run on the node', () => {
    expect(shapeFragmentationMilli(CPU, GPUS, 'T4', shape(4000, 2, 1000))).toBe(1300); // one whole GPU free
    expect(shapeFragmentationMilli(CPU, GPUS, 'T4', shape(32_000, 0, 0))).toBe(1300); // asks no GPU
    expect(shapeFragmentationMilli(CPU, GPUS, 'T4', shape(20_000, 1, 200))).toBe(1300); // lacks CPU
    expect(shapeFragmentationMilli(CPU, GPUS, 'T4', shape(1000, 1, 200, 0, ['V100M16']))).toBe(1300); // model
  });

  it('weights the shapes by popularity: F_n(M) = Σ p_m F_n(m)', () => {
    const workload = toWorkloadShapes([
      shape(4000, 1, 500, 0.4),
      shape(4000, 2, 1000, 0.1),
      shape(32_000, 0, 0, 0.2),
      shape(20_000, 1, 200, 0.1),
      shape(1000, 1, 200, 0.1, ['V100M16']),
      shape(1000, 1, 200, 0.1),
    ]);
    // 0.4·300 + 0.1·1300 + 0.2·1300 + 0.1·1300 + 0.1·1300 + 0.1·0
    expect(nodeFragmentationMilli(CPU, GPUS, 'T4', workload)).toBeCloseTo(770, 9);
    const perShape = workload.shapes.reduce(
      (s, m) => s + m.popularity * shapeFragmentationMilli(CPU, GPUS, 'T4', m),
      0,
    );
    expect(nodeFragmentationMilli(CPU, GPUS, 'T4', workload)).toBeCloseTo(perShape, 9);
  });
});

describe('repeat-arrival fragmentation F*_n(m) (the gpu-ledger policy), computed by hand', () => {
  it('counts what a stream of the shape leaves unused, with the CPU shared among its pods', () => {
    // 470-milli pods: 2 fit the free GPU, none the 300; CPU for 2 → 940 used of 1300.
    expect(repeatFragmentationMilli(CPU, GPUS, 'T4', shape(4000, 1, 470))).toBe(360);
    // CPU for only one of them.
    expect(repeatFragmentationMilli(CPU, GPUS, 'T4', shape(6000, 1, 470))).toBe(830);
    // Where one pod cannot run, as FGD: everything.
    expect(repeatFragmentationMilli(CPU, GPUS, 'T4', shape(0, 0, 0))).toBe(1300);
    expect(repeatFragmentationMilli(CPU, GPUS, 'T4', shape(4000, 2, 1000))).toBe(1300);
    // An 8-GPU node with CPU for 4 whole-GPU pods of 10 cores wastes 4 GPUs; FGD's measure sees none.
    const eight = Array.from({ length: 8 }, () => 1000);
    expect(repeatFragmentationMilli(40_000, eight, 'G2', shape(10_000, 1, 1000))).toBe(4000);
    expect(shapeFragmentationMilli(40_000, eight, 'G2', shape(10_000, 1, 1000))).toBe(0);
    expect(
      nodeRepeatFragmentationMilli(CPU, GPUS, 'T4', toWorkloadShapes([shape(4000, 1, 470, 0.5), shape(0, 0, 0, 0.5)])),
    ).toBeCloseTo(0.5 * 360 + 0.5 * 1300, 9);
  });
});
