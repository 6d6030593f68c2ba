import { StoreQueryError } from '../store/errors.ts';
import { SqlValueError } from '../store/sql.ts';
import { backoffDelayMs, sleep, type BackoffConfig } from './backoff.ts';

/**
 * ClickHouse exception codes that say "this data is wrong" (as opposed to "this table/setting is
 * wrong"): a record failing alone with one of these is dead-lettered even when no other record in
 * its flush succeeded. 6/72 CANNOT_PARSE_TEXT/NUMBER, 26/27 CANNOT_PARSE_QUOTED_STRING/INPUT_ASSERTION,
 * 32 ATTEMPT_TO_READ_AFTER_EOF, 38/41 CANNOT_PARSE_DATE/DATETIME, 53 TYPE_MISMATCH,
 * 69 ARGUMENT_OUT_OF_BOUND, 70 CANNOT_CONVERT_TYPE, 117 INCORRECT_DATA, 131 TOO_LARGE_STRING_SIZE,
 * and the table's own checks: 395 FUNCTION_THROW_IF_VALUE_IS_NON_ZERO (a `throwIf` in a MATERIALIZED
 * or DEFAULT column, 18.16's way to write a constraint), 469 VIOLATED_CONSTRAINT (CHECK, 19.x on).
 */
const DATA_ERROR_CODES: ReadonlySet<number> = new Set([6, 26, 27, 32, 38, 41, 53, 69, 70, 72, 117, 131, 395, 469]);

/** Whether an error blames the data of the rows rather than the store or the statement. */
export function isDataError(error: unknown): boolean {
  if (error instanceof SqlValueError) return true;
  return (
    error instanceof StoreQueryError && error.clickhouseCode !== undefined && DATA_ERROR_CODES.has(error.clickhouseCode)
  );
}

/** Retriable: the store is down or slow (StoreUnavailableError and anything else marked retriable). */
export const isRetriable = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;

export interface WriteOutcome<T> {
  readonly rejected: ReadonlyArray<{ readonly item: T; readonly error: unknown }>;
  /** Retries after retriable or unisolated failures, for metrics. */
  readonly retries: number;
}

export interface WriteIsolatedOptions {
  readonly backoff: BackoffConfig;
  readonly random: () => number;
  /** Aborting stops the retries: the write then rejects with the signal's reason (shutdown). */
  readonly signal: AbortSignal;
  /** Called before each backoff, with the error that caused it. */
  readonly onRetry: (error: unknown, attempt: number) => void;
}

type Isolated<T> = { stored: number; rejected: Array<{ item: T; error: unknown }> };

/** Writes `items`; when that fails for a non-retriable reason, bisects until failing items stand alone. */
async function isolate<T>(items: readonly T[], write: (items: readonly T[]) => Promise<void>): Promise<Isolated<T>> {
  try {
    await write(items);
    return { stored: items.length, rejected: [] };
  } catch (error) {
    if (isRetriable(error)) throw error;
    return bisect(items, error, write);
  }
}

/** `items` just failed with `error` (not retriable): the halves are tried on their own. */
async function bisect<T>(
  items: readonly T[],
  error: unknown,
  write: (items: readonly T[]) => Promise<void>,
): Promise<Isolated<T>> {
  const [only] = items;
  if (items.length === 1 && only !== undefined) return { stored: 0, rejected: [{ item: only, error }] };
  const middle = Math.ceil(items.length / 2);
  const left = await isolate(items.slice(0, middle), write);
  const right = await isolate(items.slice(middle), write);
  return { stored: left.stored + right.stored, rejected: [...left.rejected, ...right.rejected] };
}

/**
 * Writes `items`, and keeps at it until the store took them or refused some of them for good:
 * - retriable failure (store down or slow): back off with jitter and retry the whole set, forever
 *   (until `signal` aborts): nothing is committed meanwhile, nothing dead-lettered;
 * - other failure: bisect. Items that fail alone are returned as rejected (the caller dead-letters
 *   them) IF the failure is isolated: some other item was stored, or the error blames the data.
 *   Otherwise (every item fails the same way: a missing table, a broken statement) it is not the
 *   records' fault: back off and retry, so that a misconfigured store pauses ingest and loses nothing.
 */
export async function writeIsolated<T>(
  items: readonly T[],
  write: (items: readonly T[]) => Promise<void>,
  options: WriteIsolatedOptions,
): Promise<WriteOutcome<T>> {
  for (let attempt = 0; ; attempt++) {
    let cause: unknown;
    try {
      await write(items);
      return { rejected: [], retries: attempt };
    } catch (error) {
      cause = error;
      if (!isRetriable(error)) {
        try {
          const result = await bisect(items, error, write);
          if (result.rejected.length === 0) return { rejected: [], retries: attempt };
          if (result.stored > 0 || result.rejected.every((r) => isDataError(r.error)))
            return { rejected: result.rejected, retries: attempt };
        } catch (retriable) {
          cause = retriable;
        }
      }
    }
    options.onRetry(cause, attempt);
    await sleep(backoffDelayMs(attempt, options.backoff, options.random), options.signal);
  }
}
