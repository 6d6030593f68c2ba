/**
 * Quota quantities, Kubernetes-style and exact: GPUs and CPU cores as `12.5` / `0.125` or millis
 * `350m` (a whole number of thousandths), memory as bytes (`64Gi`, `500M`). Pure; the quantity syntax
 * is the one collectors/kubernetes/gpu-request.ts reads.
 */
import { parseQuantity } from '../../collectors/kubernetes/gpu-request.ts';

/** `12.5` → 12500, `350m` → 350; null when not a non-negative whole number of thousandths. */
export const parseMilli = (text: string): number | null => {
  const milli = parseQuantity(text) * 1000;
  const whole = Math.round(milli);
  return Number.isSafeInteger(whole) && whole >= 0 && Math.abs(milli - whole) < 1e-6 ? whole : null;
};

/** `64Gi` → 68719476736; null when not a non-negative whole number of bytes below 2^53. */
export const parseBytes = (text: string): number | null => {
  const bytes = parseQuantity(text);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : null;
};

/** 12500 → "12.5", 350 → "0.35". */
export const formatMilli = (milli: number): string => String(milli / 1000);
