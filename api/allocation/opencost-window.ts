/**
 * OpenCost's `window` and `step` parameters, read on the ledger's hourly windows (pure; the clock is
 * an argument; all times UTC). The ledger knows whole hours only, so every range is narrowed to
 * whole hours: the start rounded up, the end rounded down (the response says which range it covers).
 *
 * window: `1h`, `24h`, `7d`, `90m` (the last so many closed hours: [now − n, now) with now rounded
 *   down to the hour); `today`, `yesterday`, `week` (since Sunday 00:00), `lastweek`, `month`,
 *   `lastmonth`; `RFC3339,RFC3339` (`2026-11-01T00:00:00Z,2026-11-08T00:00:00Z`); `unix,unix` seconds.
 * step: a duration of whole hours (`1h`, `6h`, `1d`, `7d`) or `window`; steps end at the window's end
 *   and go back, as OpenCost's do.
 */
import { parseInstant } from '../../pipeline/cost/cost-window.ts';

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

export interface HourRange {
  readonly fromMs: number;
  readonly toMs: number;
}

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const ceilHour = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS;
const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** `90m`, `24h`, `7d`, `2w` → ms, or null when not a duration. */
export const parseDurationMs = (text: string): number | null => {
  const m = /^(\d{1,6})(m|h|d|w)$/.exec(text);
  return m?.[1] && m[2] ? Number(m[1]) * (UNITS[m[2]] ?? 0) : null;
};

const instant = (text: string): number => {
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  return parseInstant(text);
};

/** Throws an Error whose message says what is wrong (the caller names the field). */
export const parseOpenCostWindow = (raw: string, nowMs: number): HourRange => {
  const text = raw.trim();
  const now = floorHour(nowMs);
  const duration = parseDurationMs(text);
  if (duration !== null) {
    if (duration < HOUR_MS) throw new Error(`"${text}" is shorter than the ledger's one-hour windows`);
    return { fromMs: now - floorHour(duration), toMs: now };
  }
  const day = startOfDay(nowMs);
  const weekStart = day - new Date(day).getUTCDay() * DAY_MS; // Sunday, as OpenCost
  const d = new Date(nowMs);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const words: Readonly<Record<string, HourRange>> = {
    today: { fromMs: day, toMs: now },
    yesterday: { fromMs: day - DAY_MS, toMs: day },
    week: { fromMs: weekStart, toMs: now },
    lastweek: { fromMs: weekStart - 7 * DAY_MS, toMs: weekStart },
    month: { fromMs: monthStart, toMs: now },
    lastmonth: { fromMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1), toMs: monthStart },
  };
  const word = words[text];
  if (word) return word;
  const parts = text.split(',');
  if (parts.length !== 2)
    throw new Error(`"${text}" is not a window (use 24h, 7d, today, lastweek or RFC3339,RFC3339 / unix,unix)`);
  const [from, to] = parts.map((p) => instant(p.trim())) as [number, number];
  if (!(to > from)) throw new Error(`"${text}" ends before it starts`);
  const range = { fromMs: ceilHour(from), toMs: floorHour(to) };
  return range.toMs >= range.fromMs ? range : { fromMs: range.fromMs, toMs: range.fromMs };
};

/** `window` or absent → the whole range; else whole hours. Throws an Error saying what is wrong. */
export const parseStep = (raw: string | undefined, range: HourRange): number => {
  const whole = Math.max(HOUR_MS, range.toMs - range.fromMs);
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'window') return whole;
  const ms = parseDurationMs(raw.trim());
  if (ms === null) throw new Error(`"${raw}" is not a duration (use 1h, 6h, 1d, 7d or window)`);
  if (ms < HOUR_MS || ms % HOUR_MS !== 0) throw new Error(`"${raw}" is not whole hours (the ledger's resolution)`);
  return ms;
};

/** The window of step `i` (0 = the last), as OpenCost's sets: ends at toMs − i·step, the first one clipped. */
export const stepWindow = (range: HourRange, stepMs: number, i: number): HourRange => ({
  fromMs: Math.max(range.fromMs, range.toMs - (i + 1) * stepMs),
  toMs: range.toMs - i * stepMs,
});

export const stepCount = (range: HourRange, stepMs: number): number =>
  Math.max(1, Math.ceil((range.toMs - range.fromMs) / stepMs));
