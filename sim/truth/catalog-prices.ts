/**
 * The truth's own reading of the price catalog file (config/prices/*.yaml): deliberately NOT
 * pipeline/cost's parser or lookup, so a wrong alias or a wrong price resolution there shows up as a
 * difference instead of being shared by both sides.
 *
 * What it resolves (all the simulated fleet needs): a GPU product name → the catalog model whose id
 * or alias matches it (case-insensitive), and that model's on-demand USD per GPU-hour with no pool
 * and no instance type, as in force at an instant: the latest version with effectiveFrom ≤ t that
 * lists that (model, on-demand) price. Versions are layered, so an older version's price stays until
 * a later one lists the same model again.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface RawPrice {
  readonly model?: unknown;
  readonly tier?: unknown;
  readonly pool?: unknown;
  readonly instanceType?: unknown;
  readonly usdPerGpuHour?: unknown;
}

export interface TruthPrices {
  /** USD per GPU-hour of `productName` on demand at `atMs`; throws when the catalog has none. */
  usdPerGpuHourAt(productName: string, atMs: number): number;
  /** Instants in (fromMs, toMs) at which `productName`'s price changes. */
  changesIn(productName: string, fromMs: number, toMs: number): number[];
}

/** model id → [effectiveFromMs, usd] sorted by time (only prices that change something). */
type Schedule = readonly (readonly [number, number])[];

export function readTruthPrices(path: string): TruthPrices {
  const doc = parse(readFileSync(path, 'utf8')) as {
    models?: Record<string, { aliases?: string[] } | null>;
    versions?: { effectiveFrom?: string; prices?: RawPrice[] }[];
  };
  const byName = new Map<string, string>();
  for (const [id, model] of Object.entries(doc.models ?? {}))
    for (const name of [id, ...(model?.aliases ?? [])]) byName.set(String(name).toLowerCase(), id);
  const schedules = new Map<string, [number, number][]>();
  const versions = [...(doc.versions ?? [])].sort(
    (a, b) => Date.parse(a.effectiveFrom ?? '') - Date.parse(b.effectiveFrom ?? ''),
  );
  for (const v of versions) {
    const from = Date.parse(v.effectiveFrom ?? '');
    if (!Number.isFinite(from)) throw new Error(`${path}: a version has no valid effectiveFrom`);
    for (const p of v.prices ?? []) {
      if (p.tier !== 'on-demand' || p.pool !== undefined || p.instanceType !== undefined) continue;
      if (typeof p.usdPerGpuHour !== 'number') continue;
      const list = schedules.get(String(p.model)) ?? [];
      list.push([from, p.usdPerGpuHour]);
      schedules.set(String(p.model), list);
    }
  }
  const schedule = (productName: string): Schedule => {
    const id = byName.get(productName.trim().toLowerCase());
    const list = id === undefined ? undefined : schedules.get(id);
    if (!list) throw new Error(`${path}: no on-demand price for GPU '${productName}'`);
    return list;
  };
  return {
    usdPerGpuHourAt(productName, atMs) {
      let usd: number | null = null;
      for (const [from, price] of schedule(productName)) if (from <= atMs) usd = price;
      if (usd === null)
        throw new Error(`${path}: no on-demand price for '${productName}' at ${new Date(atMs).toISOString()}`);
      return usd;
    },
    changesIn: (productName, fromMs, toMs) =>
      schedule(productName)
        .map(([from]) => from)
        .filter((t) => t > fromMs && t < toMs),
  };
}
