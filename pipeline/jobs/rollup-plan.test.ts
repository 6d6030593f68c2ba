import { describe, expect, it } from 'vitest';
import { marksSinceMs, minuteChunks, planRollups, slices } from './rollup-plan.ts';

const M = 60_000;
const H = 3_600_000;
const T = Date.UTC(2024, 4, 1, 12, 0, 0);
const n1 = { cluster: 'c', node: 'n1' };
const n2 = { cluster: 'c', node: 'n2' };
const mark = (windowStartMs: number, node: { cluster: string; node: string }, ingestedAtMs = T) => ({
  windowStartMs,
  ...node,
  ingestedAtMs,
});
const keys = (m: ReadonlyMap<number, unknown>) => [...m.keys()].map((k) => (k - T) / M);

describe('rollup plan', () => {
  it('first run: closed dirty minutes and the minutes their intervals reach, per node, and their closed hours', () => {
    const plan = planRollups({
      marks: [mark(T - 10 * M, n1), mark(T - 70 * M, n2)],
      previous: null,
      nowMs: T + 30_000,
      closeDelayMs: M,
      maxGapMs: 90_000,
      overlapMs: 2 * M,
    });
    expect(plan.closedBeforeMs).toBe(T - M);
    expect(keys(plan.minutes)).toEqual([-70, -69, -68, -10, -9, -8]);
    expect(plan.minutes.get(T - 10 * M)).toEqual([n1]);
    expect(plan.minutes.get(T - 70 * M)).toEqual([n2]);
    // 11:00 is still open (closed windows end by 11:59); 10:00 is closed, for n2 only.
    expect([...plan.hours]).toEqual([[T - 2 * H, [n2]]]);
  });

  it('recomputes a window once it closes, skips marks already handled with the window closed, recomputes newly closed hours for all nodes', () => {
    const previous = { watermarkMs: T + 30 * M, closedBeforeMs: T + 29 * M };
    expect(marksSinceMs(previous, 60_000, 2 * M)).toBe(T + 26 * M);
    const plan = planRollups({
      marks: [
        mark(T + 28 * M, n1, T + 28.5 * M), // seen by the previous run with its minute (and the next) closed
        mark(T + 29 * M, n1, T + 29.5 * M), // seen while its minute was open: recomputed now
        mark(T + 5 * M, n2, T + 30.5 * M), // late data, new since the previous run
      ],
      previous,
      nowMs: T + 61.5 * M,
      closeDelayMs: M,
      maxGapMs: 60_000,
      overlapMs: M,
    });
    expect(keys(plan.minutes)).toEqual([5, 6, 29, 30]);
    expect([...plan.hours.keys()]).toEqual([T]);
    expect(plan.hours.get(T)).toBe('all');
  });

  it('cuts statements by nodes × minutes, merging runs of minutes with the same nodes', () => {
    const minutes = new Map([
      [0, [n1]],
      [M, [n1]],
      [2 * M, [n1]],
      [5 * M, [n1, n2]],
    ]);
    expect(minuteChunks(minutes, 2)).toEqual([
      { fromMs: 0, toMs: 2 * M, nodes: [n1] },
      { fromMs: 2 * M, toMs: 3 * M, nodes: [n1] },
      { fromMs: 5 * M, toMs: 6 * M, nodes: [n1, n2] },
    ]);
    expect(minuteChunks(new Map([[0, [n1, n2]]]), 1)).toEqual([
      { fromMs: 0, toMs: M, nodes: [n1] },
      { fromMs: 0, toMs: M, nodes: [n2] },
    ]);
    expect(slices([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
