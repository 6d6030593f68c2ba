/** RFC 4180 CSV writing: CRLF line ends, fields quoted when they hold a comma, quote or line break. */

export type CsvValue = string | number | null;

/** Decimal notation without exponent (1e-7 → "0.0000001"), so every CSV reader sees a plain number. */
export const formatNumber = (n: number): string => {
  if (!Number.isFinite(n)) throw new RangeError(`cannot write ${n} as a CSV number`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
};

const field = (v: CsvValue): string => {
  if (v === null) return '';
  const s = typeof v === 'number' ? formatNumber(v) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const toCsv = (header: readonly string[], records: readonly (readonly CsvValue[])[]): string =>
  [header, ...records].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
