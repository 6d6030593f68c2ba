/**
 * Prometheus `for:` semantics on samples, pure. A stretch is a run of consecutive samples that all
 * satisfy a predicate, with no two neighbours further apart than `maxGapMs` (a longer gap in the
 * samples ends it: silence is not evidence). At an evaluation time t the current stretch is the one
 * ending at the newest sample at or before t, if that sample satisfies the predicate and is itself
 * no older than `maxGapMs`. Its length is last − first sample time; `for:` is met when that reaches
 * the rule's duration.
 */
import { lastAtOrBefore } from './rule-inputs.ts';

export interface Stretch {
  /** Indexes of the first and last sample of the stretch. */
  readonly first: number;
  readonly last: number;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * For each sample, the index where its stretch starts (-1 when the sample does not satisfy the
 * predicate). O(n) once per series; evaluations at many instants then cost a binary search each.
 */
export function stretchStarts<T extends { readonly tsMs: number }>(
  samples: readonly T[],
  holds: (s: T) => boolean,
  maxGapMs: number,
): Int32Array {
  const starts = new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    if (!holds(samples[i]!)) starts[i] = -1;
    else if (i > 0 && starts[i - 1]! >= 0 && samples[i]!.tsMs - samples[i - 1]!.tsMs <= maxGapMs)
      starts[i] = starts[i - 1]!;
    else starts[i] = i;
  }
  return starts;
}

/** The stretch current at `atMs` (see the module note), or null. */
export function currentStretch<T extends { readonly tsMs: number }>(
  samples: readonly T[],
  starts: Int32Array,
  atMs: number,
  maxGapMs: number,
): Stretch | null {
  const last = lastAtOrBefore(samples, atMs);
  if (last < 0 || starts[last]! < 0 || atMs - samples[last]!.tsMs > maxGapMs) return null;
  const first = starts[last]!;
  return { first, last, startMs: samples[first]!.tsMs, endMs: samples[last]!.tsMs };
}
