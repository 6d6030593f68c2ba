/**
 * Time ranges as the CLI writes them (pure: the clock is an argument). All times UTC.
 *
 * - `24h`, `7d`: the last so many hours/days of CLOSED windows: [floor(now) − n, floor(now)), floor
 *   to the ledger window (an hour), so the range holds whole windows only.
 * - `A..B`: from A to B. A bare date `2026-11-01` is that day's 00:00Z; as the END it includes the
 *   whole day (`2026-11-01..2026-11-25` is Nov 1 00:00Z to Nov 26 00:00Z). A timestamp needs a zone
 *   (`2026-11-01T06:00:00Z`, `…+01:00`) and is taken exactly, the end exclusive.
 */

export interface TimeRangeMs {
  readonly fromMs: number;
  readonly toMs: number;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A date (its 00:00Z) or a zoned ISO timestamp → epoch ms; `endOfDay` moves a bare date to the next midnight. */
export const parseInstant = (text: string, options: { readonly endOfDay?: boolean } = {}): number => {
  const t = text.trim();
  const d = DATE.exec(t);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    if (new Date(ms).toISOString().slice(0, 10) !== t) throw new Error(`not a calendar date: "${text}"`);
    return options.endOfDay ? ms + DAY_MS : ms;
  }
  const ms = TIMESTAMP.test(t) ? Date.parse(t) : NaN;
  if (!Number.isFinite(ms))
    throw new Error(`not a date or zoned timestamp: "${text}" (use 2026-11-01 or 2026-11-01T06:00:00Z)`);
  return ms;
};

export const parseCostWindow = (text: string, nowMs: number, windowMs = 3_600_000): TimeRangeMs => {
  const t = text.trim();
  const rel = /^(\d+)(h|d)$/.exec(t);
  if (rel) {
    const toMs = Math.floor(nowMs / windowMs) * windowMs;
    const lengthMs = Number(rel[1]) * (rel[2] === 'h' ? 3_600_000 : DAY_MS);
    if (lengthMs <= 0) throw new Error(`window "${text}" is empty`);
    return { fromMs: toMs - lengthMs, toMs };
  }
  const parts = t.split('..');
  if (parts.length !== 2) throw new Error(`not a window: "${text}" (use e.g. 24h, 7d or 2026-11-01..2026-11-25)`);
  const fromMs = parseInstant(parts[0] ?? '');
  const toMs = parseInstant(parts[1] ?? '', { endOfDay: true });
  if (!(toMs > fromMs)) throw new Error(`window "${text}" ends before it starts`);
  return { fromMs, toMs };
};
