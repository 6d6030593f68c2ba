/** Building blocks of rule params schemas (rules files are YAML: durations are written `5m`). */
import { z } from 'zod';
import { parseDuration } from '../../cli/parse-duration.ts';

/** `250ms`, `30s`, `5m`, `2h`, `7d` (or a number of milliseconds) → milliseconds. */
export const durationSchema = z.union([z.int().min(0), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const percentParam = z.number().min(0).max(100);
