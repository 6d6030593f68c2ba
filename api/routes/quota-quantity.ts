/**
 * Quota quantities, Kubernetes-style and exact: GPUs and CPU cores as `12.5` / `0.125` (at most three
 * decimals) or millis `350m`; memory as bytes with an optional suffix (`64Gi`, `500M`). Pure.
 */
const MILLI = /^(\d{1,9})(?:\.(\d{1,3}))?$|^(\d{1,12})m$/;
const BYTES = /^(\d{1,15})(Ki|Mi|Gi|Ti|K|M|G|T)?$/;
const FACTOR: Readonly<Record<string, number>> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** `12.5` → 12500, `350m` → 350; null when not such a quantity. */
export const parseMilli = (text: string): number | null => {
  const m = MILLI.exec(text.trim());
  if (!m) return null;
  if (m[3] !== undefined) return Number(m[3]);
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
};

/** `64Gi` → 68719476736; null when not such a quantity or beyond 2^53. */
export const parseBytes = (text: string): number | null => {
  const m = BYTES.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * (FACTOR[m[2] ?? ''] ?? 1);
  return Number.isSafeInteger(n) ? n : null;
};

/** 12500 → "12.5", 350 → "0.35". */
export const formatMilli = (milli: number): string => String(milli / 1000);
