/**
 * SQL pieces the dashboards share. Written to run on ClickHouse 18.16 and chDB alike: time buckets
 * with intDiv on epoch seconds (18.16 has no toStartOfInterval), filters with the plugin's
 * `$__timeFilter`, and each template variable through `$__conditionalAll` so that "All" costs nothing.
 */

/** `column IN (${variable})`, or 1=1 when All is selected. */
export const when = (column: string, variable: string): string =>
  `$__conditionalAll(${column} IN (\${${variable}}), $${variable})`;

/** A DateTime column bucketed by the panel's interval (at least `minSeconds`), aliased `time`. */
export const bucket = (column: string, minSeconds = 1): string => {
  const step = minSeconds > 1 ? `greatest($__interval_s, ${minSeconds})` : '$__interval_s';
  return `toDateTime(intDiv(toUInt32(${column}), ${step}) * ${step}) AS time`;
};

/** Busy share of observed time, percent: Σ utilization% × ms / Σ ms (exact integers in the rollups). */
export const UTILIZATION_PCT = 'sum(busy_pct_ms) / greatest(sum(covered_ms), 1)';
