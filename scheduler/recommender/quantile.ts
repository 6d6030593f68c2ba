/**
 * ClickHouse's quantileExact(q) in TypeScript: the element at index ⌊q · n⌋ of the sorted values
 * (the store's percentiles are computed that way on both engines). null for no values.
 */
export const quantileExact = (values: readonly number[], q: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
