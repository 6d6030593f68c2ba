import { z } from 'zod';
import { parseOpenCostWindow, type HourRange } from '../allocation/opencost-window.ts';
import { invalid } from '../errors.ts';
import type { ApiLimits } from './route.ts';

/** The `window` parameter of the non-allocation routes: OpenCost's syntax (allocation/opencost-window.ts). */
export const windowParam = z
  .string()
  .min(1)
  .max(100)
  .describe('24h | 7d | today | yesterday | week | lastweek | month | lastmonth | RFC3339,RFC3339');

/** Parses `window` within the limits; a 400 naming it otherwise. */
export const parseWindowParam = (text: string, nowMs: number, limits: ApiLimits): HourRange => {
  let range: HourRange;
  try {
    range = parseOpenCostWindow(text, nowMs);
  } catch (error) {
    throw invalid('window', (error as Error).message);
  }
  if ((range.toMs - range.fromMs) / 3_600_000 > limits.maxWindowHours)
    throw invalid('window', `covers more than the limit of ${limits.maxWindowHours} hours`);
  return range;
};
