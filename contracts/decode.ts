/**
 * Generic decoders: unknown input -> Result. They never throw; on failure the error is a short,
 * human-readable reason meant for logs and dead letters, e.g.
 * `samples[2].utilizationPct: Too big: expected number to be <=100`.
 */
import type { z } from 'zod';
import { err, ok, type Result } from './result.ts';

/** At most this many schema issues are spelled out in a reason; the rest are counted. */
export const MAX_REPORTED_ISSUES = 3;
/** A reason never exceeds this many characters (JSON syntax errors can quote the input). */
export const MAX_REASON_CHARS = 500;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['samples', 2, 'utilizationPct']` -> `samples[2].utilizationPct`; odd keys as `labels["a/b"]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? '(root)' : out;
}

/** `path: message` for the first MAX_REPORTED_ISSUES issues, `; `-separated, `(+N more)` after. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
  const more = issues.length - shown.length;
  return clip(more > 0 ? `${shown.join('; ')} (+${more} more)` : shown.join('; '));
}

/** Clearer wording than zod's default for the two commonest slips; everything else keeps zod's message. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return `missing (expected ${issue.expected})`;
  if (issue.expected === 'int' && typeof issue.input === 'number')
    return `expected an integer, received ${issue.input}`;
  return undefined;
};

/** Validates an already-parsed value (e.g. an HTTP JSON body). */
export function decodeValue<T>(schema: z.ZodType<T>, value: unknown): Result<T> {
  const parsed = schema.safeParse(value, { error: errorMap });
  return parsed.success ? ok(parsed.data) : err(formatIssues(parsed.error.issues));
}

/** JSON-parses `raw` and validates it; `invalid JSON: …` when it does not parse. */
export function decodeJson<T>(schema: z.ZodType<T>, raw: string): Result<T> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return err(clip(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`));
  }
  return decodeValue(schema, value);
}

function clip(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}
