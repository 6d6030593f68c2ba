import { describe, expect, it } from 'vitest';
import { fitRequest, occupy } from './node-occupancy.ts';

const gpus = ['GPU-a', 'GPU-b', 'GPU-c'];

describe('node occupancy', () => {
  it('books known devices first, then places the rest largest first, fractions best-fit', () => {
    const o = occupy(gpus, [
      { podUid: 'known', gpuRequest: { kind: 'whole', count: 1 }, share: 1, gpuUuids: ['GPU-b'] },
      { podUid: 'small', gpuRequest: { kind: 'fraction', milli: 250 }, share: 0.25, gpuUuids: [] },
      { podUid: 'half', gpuRequest: { kind: 'fraction', milli: 500 }, share: 0.5, gpuUuids: [] },
      { podUid: 'slice', gpuRequest: { kind: 'mig', profile: '2g.20gb', count: 1 }, share: 2 / 7, gpuUuids: ['GPU-c'] },
    ]);
    // the slice holds 2/7 of GPU-c (286); half goes to GPU-c (714 free: the fullest that fits), small then only fits GPU-a
    expect(o).toEqual({ allocatedMilli: [250, 1000, 786], unplaced: [] });
  });

  it('reports what does not fit instead of counting a GPU past 1000', () => {
    const o = occupy(
      ['GPU-a'],
      [
        { podUid: 'one', gpuRequest: { kind: 'whole', count: 1 }, share: 1, gpuUuids: [] },
        { podUid: 'two', gpuRequest: { kind: 'whole', count: 1 }, share: 1, gpuUuids: [] },
      ],
    );
    expect(o).toEqual({ allocatedMilli: [1000], unplaced: ['two'] });
  });

  it('whole requests need wholly free GPUs of one node', () => {
    expect(fitRequest([1000, 999, 1000], { whole: 2 })).toEqual([0, 2]);
    expect(fitRequest([1000, 999], { whole: 2 })).toBeNull();
    expect(fitRequest([300, 600, 1000], { milli: 500 })).toEqual([1]);
  });
});
