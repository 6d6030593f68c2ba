import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../../test/helpers/fixtures.ts';
import { OPENB_COMMON_SHAPES, unusableFreeMilliForShape, unusableFreeMilliForShapes } from './fragmentation.ts';

describe('fragmentation: free milli the common shapes cannot use', () => {
  it("OPENB_COMMON_SHAPES are the openb default trace's six commonest one-GPU shapes and its commonest multi-GPU one", () => {
    const [header, ...lines] = readFileSync(join(SHARED_DIR, 'traces/openb/openb_pod_list_default.csv'), 'utf8')
      .trim()
      .split('\n');
    const cols = header!.split(',');
    const [n, m] = [cols.indexOf('num_gpu'), cols.indexOf('gpu_milli')];
    const counts = new Map<string, number>();
    for (const line of lines) {
      const f = line.split(',');
      const gpus = Number(f[n]);
      if (gpus === 0) continue;
      const key = `${gpus}x${gpus === 1 ? Number(f[m]) : 1000}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    const single = ranked.filter(([k]) => k.startsWith('1x')).slice(0, 6);
    const multi = ranked.filter(([k]) => !k.startsWith('1x')).slice(0, 1);
    expect(OPENB_COMMON_SHAPES.map((s) => [`${s.gpus}x${s.milliPerGpu}`, s.weight])).toEqual([...single, ...multi]);
  });

  it('per shape: fractions cannot use smaller holes, whole requests cannot use partly used GPUs', () => {
    const free = [1000, 1000, 300, 190, 0];
    expect(unusableFreeMilliForShape(free, { gpus: 1, milliPerGpu: 230, weight: 1 })).toBe(190);
    expect(unusableFreeMilliForShape(free, { gpus: 1, milliPerGpu: 810, weight: 1 })).toBe(490);
    expect(unusableFreeMilliForShape(free, { gpus: 1, milliPerGpu: 1000, weight: 1 })).toBe(490);
    expect(unusableFreeMilliForShape(free, { gpus: 8, milliPerGpu: 1000, weight: 1 })).toBe(2490);
  });

  it('weights the openb shapes: an 8-GPU node with 2 GPUs 250 milli free each', () => {
    const free = [250, 250, 0, 0, 0, 0, 0, 0];
    // only 1×230 milli (weight 140 of 6504) fits a 250 hole; every other shape finds all 500 unusable
    expect(unusableFreeMilliForShapes(free)).toBeCloseTo(((6504 - 140) * 500) / 6504, 9);
    expect(unusableFreeMilliForShapes([0, 0])).toBe(0);
    expect(unusableFreeMilliForShapes(Array.from({ length: 8 }, () => 1000))).toBe(0);
  });
});
