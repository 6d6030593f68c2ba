import { describe, expect, it } from 'vitest';
import { parseOpenCostWindow, parseStep, stepWindow } from './opencost-window.ts';

const NOW = Date.UTC(2026, 10, 5, 10, 42); // a Thursday
const iso = (r: { fromMs: number; toMs: number }) => [new Date(r.fromMs).toISOString(), new Date(r.toMs).toISOString()];

describe('OpenCost window on hourly ledger windows', () => {
  it('reads durations, words, RFC3339 and unix pairs as whole hours', () => {
    expect(iso(parseOpenCostWindow('24h', NOW))).toEqual(['2026-11-04T10:00:00.000Z', '2026-11-05T10:00:00.000Z']);
    expect(iso(parseOpenCostWindow('7d', NOW))).toEqual(['2026-10-29T10:00:00.000Z', '2026-11-05T10:00:00.000Z']);
    expect(iso(parseOpenCostWindow('90m', NOW))).toEqual(['2026-11-05T09:00:00.000Z', '2026-11-05T10:00:00.000Z']);
    expect(iso(parseOpenCostWindow('today', NOW))).toEqual(['2026-11-05T00:00:00.000Z', '2026-11-05T10:00:00.000Z']);
    expect(iso(parseOpenCostWindow('yesterday', NOW))).toEqual([
      '2026-11-04T00:00:00.000Z',
      '2026-11-05T00:00:00.000Z',
    ]);
    expect(iso(parseOpenCostWindow('lastweek', NOW))).toEqual(['2026-10-25T00:00:00.000Z', '2026-11-01T00:00:00.000Z']);
    expect(iso(parseOpenCostWindow('month', NOW))).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-05T10:00:00.000Z']);
    expect(iso(parseOpenCostWindow('lastmonth', NOW))).toEqual([
      '2026-10-01T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
    ]);
    expect(iso(parseOpenCostWindow('2026-11-01T05:30:00Z,2026-11-02T07:15:00+01:00', NOW))).toEqual([
      '2026-11-01T06:00:00.000Z',
      '2026-11-02T06:00:00.000Z',
    ]);
    expect(iso(parseOpenCostWindow('1793491200,1793494800', NOW))).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T01:00:00.000Z',
    ]);
  });

  it('refuses what is not a window, saying why', () => {
    expect(() => parseOpenCostWindow('soon', NOW)).toThrow(/not a window/);
    expect(() => parseOpenCostWindow('30m', NOW)).toThrow(/shorter than the ledger/);
    expect(() => parseOpenCostWindow('2026-11-02T00:00:00Z,2026-11-01T00:00:00Z', NOW)).toThrow(/ends before/);
    expect(() => parseOpenCostWindow('2026-11-01T00:00:00,2026-11-02T00:00:00Z', NOW)).toThrow(/zoned/);
  });

  it('steps back from the end in whole hours', () => {
    const range = parseOpenCostWindow('2026-11-01T00:00:00Z,2026-11-02T12:00:00Z', NOW);
    const step = parseStep('1d', range);
    expect(iso(stepWindow(range, step, 0))).toEqual(['2026-11-01T12:00:00.000Z', '2026-11-02T12:00:00.000Z']);
    expect(iso(stepWindow(range, step, 1))).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-01T12:00:00.000Z']);
    expect(parseStep(undefined, range)).toBe(36 * 3_600_000);
    expect(() => parseStep('90m', range)).toThrow(/whole hours/);
  });
});
