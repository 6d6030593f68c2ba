import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.ts';

describe('parseDuration', () => {
  it('reads every unit', () => {
    expect(['250ms', '30s', '15m', '2h', '7d', ' 1h '].map(parseDuration)).toEqual([
      250, 30_000, 900_000, 7_200_000, 604_800_000, 3_600_000,
    ]);
  });

  it('refuses what is not a whole number with a unit, naming the text', () => {
    for (const bad of ['', '1', '1.5h', '-1m', '1w', 'h', '1 h']) {
      expect(() => parseDuration(bad), bad).toThrow(`not a duration: "${bad}"`);
    }
  });
});
