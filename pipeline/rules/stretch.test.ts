import { describe, expect, it } from 'vitest';
import { currentStretch, stretchStarts } from './stretch.ts';

const MIN = 60_000;
/** Samples at the given minutes with the given utilization. */
const series = (points: [number, number][]) => points.map(([m, u]) => ({ tsMs: m * MIN, u }));
const low = (s: { u: number }) => s.u < 5;

describe('for: stretches on samples', () => {
  // minute: 0  1  2  3  4  10  11  12  13
  // util:   9  1  2  0  3   1   7   0   0
  const samples = series([
    [0, 9],
    [1, 1],
    [2, 2],
    [3, 0],
    [4, 3],
    [10, 1],
    [11, 7],
    [12, 0],
    [13, 0],
  ]);
  const starts = stretchStarts(samples, low, 5 * MIN);

  it('indexes where each sample’s stretch starts (hand-computed)', () => {
    // minute 10 follows minute 4 after 6 min > 5 min: the gap restarts the stretch.
    expect([...starts]).toEqual([-1, 1, 1, 1, 1, 5, -1, 7, 7]);
  });

  it('gives the stretch current at an instant, from the samples at or before it', () => {
    expect(currentStretch(samples, starts, 4 * MIN, 5 * MIN)).toEqual({
      first: 1,
      last: 4,
      startMs: MIN,
      endMs: 4 * MIN,
    });
    // at minute 9 the newest sample is minute 4's (5 min old: still current), the stretch 1..4
    expect(currentStretch(samples, starts, 9 * MIN, 5 * MIN)?.endMs).toBe(4 * MIN);
    // at 9:00.001 the newest sample is more than 5 min old: silence ends the stretch
    expect(currentStretch(samples, starts, 9 * MIN + 1, 5 * MIN)).toBeNull();
    expect(currentStretch(samples, starts, 10 * MIN, 5 * MIN)).toEqual({
      first: 5,
      last: 5,
      startMs: 10 * MIN,
      endMs: 10 * MIN,
    });
    expect(currentStretch(samples, starts, 11 * MIN + 30_000, 5 * MIN)).toBeNull(); // minute 11 is busy
    expect(currentStretch(samples, starts, 18 * MIN, 5 * MIN)).toEqual({
      first: 7,
      last: 8,
      startMs: 12 * MIN,
      endMs: 13 * MIN,
    });
    expect(currentStretch(samples, starts, 20 * MIN, 5 * MIN)).toBeNull(); // minute 13 is 7 min old by then
    expect(currentStretch(samples, starts, 0, 5 * MIN)).toBeNull(); // the first sample is busy
    expect(currentStretch(samples, starts, -1, 5 * MIN)).toBeNull(); // before any sample
  });
});
