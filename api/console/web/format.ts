/** How the console writes numbers: pure, shared with the browser tests that compare them to the API. */
export const usd = (n: number): string =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const hours = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
export const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
