import { describe, expect, it } from 'vitest';
import { parseCostWindow, parseInstant } from './cost-window.ts';

const NOW = Date.UTC(2026, 10, 25, 13, 42, 7); // 2026-11-25T13:42:07Z

describe('parseCostWindow', () => {
  it('takes 24h / 7d as the last closed hours, aligned to the hour', () => {
    expect(parseCostWindow('24h', NOW)).toEqual({
      fromMs: Date.UTC(2026, 10, 24, 13),
      toMs: Date.UTC(2026, 10, 25, 13),
    });
    expect(parseCostWindow(' 7d ', NOW)).toEqual({
      fromMs: Date.UTC(2026, 10, 18, 13),
      toMs: Date.UTC(2026, 10, 25, 13),
    });
  });

  it('reads A..B with a bare end date including that whole day, timestamps exactly', () => {
    expect(parseCostWindow('2026-11-01..2026-11-25', NOW)).toEqual({
      fromMs: Date.UTC(2026, 10, 1),
      toMs: Date.UTC(2026, 10, 26),
    });
    expect(parseCostWindow('2026-11-02T10:00:00Z..2026-11-02T12:00:00Z', NOW)).toEqual({
      fromMs: Date.UTC(2026, 10, 2, 10),
      toMs: Date.UTC(2026, 10, 2, 12),
    });
    expect(parseInstant('2026-11-02T11:00:00+01:00')).toBe(Date.UTC(2026, 10, 2, 10));
  });

  it.each([
    ['0h', /empty/],
    ['15m', /not a window/],
    ['2026-11-25..2026-11-01', /ends before it starts/],
    ['2026-02-30..2026-03-01', /not a calendar date/],
    ['2026-11-02T10:00:00..2026-11-03', /zoned timestamp/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCostWindow(text, NOW)).toThrow(message);
  });
});
