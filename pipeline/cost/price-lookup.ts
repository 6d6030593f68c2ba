/**
 * Price resolution over a PriceCatalog. Pure: the time is an argument.
 *
 * Rule for (model, tier, pool, instanceType) at time t:
 *  1. the model name is resolved to its canonical id (model id or alias, case-insensitive);
 *     an unknown model is an error (PriceNotFoundError) — there is no silent default price;
 *  2. versions with effectiveFrom ≤ t are searched newest first; the first version holding an entry
 *     for that model and tier whose selectors fit (entry pool/instanceType unset or equal) wins;
 *     within it the most specific entry wins (instanceType > pool > generic);
 *  3. if no version has one, the catalog's explicit tier fallbacks apply (e.g. committed → on-demand),
 *     and the result records which fallback was used;
 *  4. otherwise PriceNotFoundError, naming model, tier, selectors and time.
 */
import type { PricingTier } from '../../contracts/cost-ledger-row.ts';
import type { PriceCatalog, PriceEntry, TierFallback } from './price-catalog.ts';

export interface PriceQuery {
  readonly gpuModel: string;
  readonly tier: PricingTier;
  readonly pool?: string | null;
  readonly instanceType?: string | null;
}
export interface ResolvedPrice {
  readonly model: string;
  readonly usdPerGpuHour: number;
  readonly entry: PriceEntry;
  readonly effectiveFromMs: number;
  readonly viaFallback: TierFallback | null;
}
/** A stretch of time over which one price is in force. */
export interface PriceSegment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly price: ResolvedPrice;
}

export class PriceNotFoundError extends Error {
  override readonly name = 'PriceNotFoundError';
  readonly code = 'PRICE_NOT_FOUND';
}

export interface PriceLookup {
  /** Canonical model id for a model name or alias; throws PriceNotFoundError for unknown names. */
  canonicalModel(name: string): string;
  priceAt(query: PriceQuery, atMs: number): ResolvedPrice;
  /** The prices in force over [fromMs, toMs), split where a catalog version takes effect. */
  segments(query: PriceQuery, fromMs: number, toMs: number): readonly PriceSegment[];
}

const specificity = (e: PriceEntry): number => (e.instanceType !== null ? 2 : 0) + (e.pool !== null ? 1 : 0);
const iso = (ms: number): string => new Date(ms).toISOString();

export const createPriceLookup = (catalog: PriceCatalog): PriceLookup => {
  const canonicalModel = (name: string): string => {
    const model = catalog.modelIndex.get(name.trim().toLowerCase());
    if (model === undefined) {
      throw new PriceNotFoundError(
        `unknown GPU model '${name}': not a model or alias in the price catalog (known: ${catalog.models.join(', ')})`,
      );
    }
    return model;
  };

  const find = (
    model: string,
    tier: PricingTier,
    q: PriceQuery,
    atMs: number,
  ): { entry: PriceEntry; effectiveFromMs: number } | null => {
    for (let i = catalog.versions.length - 1; i >= 0; i--) {
      const version = catalog.versions[i];
      if (version === undefined || version.effectiveFromMs > atMs) continue;
      const fits = version.entries.filter(
        (e) =>
          e.model === model &&
          e.tier === tier &&
          (e.pool === null || e.pool === (q.pool ?? null)) &&
          (e.instanceType === null || e.instanceType === (q.instanceType ?? null)),
      );
      const best = fits.reduce<PriceEntry | null>(
        (a, e) => (a === null || specificity(e) > specificity(a) ? e : a),
        null,
      );
      if (best !== null) return { entry: best, effectiveFromMs: version.effectiveFromMs };
    }
    return null;
  };

  const priceAt = (q: PriceQuery, atMs: number): ResolvedPrice => {
    const model = canonicalModel(q.gpuModel);
    const direct = find(model, q.tier, q, atMs);
    if (direct) return { model, usdPerGpuHour: direct.entry.usdPerGpuHour, ...direct, viaFallback: null };
    const visited = new Set<PricingTier>([q.tier]);
    let tier = q.tier;
    for (;;) {
      const fallback = catalog.fallbacks.find((f) => f.tier === tier);
      if (fallback === undefined || visited.has(fallback.useTier)) break;
      visited.add(fallback.useTier);
      tier = fallback.useTier;
      const found = find(model, tier, q, atMs);
      if (found) return { model, usdPerGpuHour: found.entry.usdPerGpuHour, ...found, viaFallback: fallback };
    }
    const first = catalog.versions[0]?.effectiveFromMs;
    const when = first !== undefined && atMs < first ? ` (before the first catalog version, ${iso(first)})` : '';
    throw new PriceNotFoundError(
      `no '${q.tier}' price for GPU model '${model}' (pool ${q.pool ?? 'none'}, instanceType ${q.instanceType ?? 'none'}) at ${iso(atMs)}${when}; add one to the price catalog or a tier fallback`,
    );
  };

  const segments = (q: PriceQuery, fromMs: number, toMs: number): PriceSegment[] => {
    if (!(toMs > fromMs)) return [];
    const cuts = catalog.versions.map((v) => v.effectiveFromMs).filter((ms) => ms > fromMs && ms < toMs);
    const bounds = [fromMs, ...cuts, toMs];
    const out: PriceSegment[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const start = bounds[i] as number;
      const price = priceAt(q, start);
      const last = out[out.length - 1];
      // Adjacent versions that leave this key's price unchanged do not split the segment.
      if (last && last.price.entry === price.entry) out[out.length - 1] = { ...last, toMs: bounds[i + 1] as number };
      else out.push({ fromMs: start, toMs: bounds[i + 1] as number, price });
    }
    return out;
  };

  return { canonicalModel, priceAt, segments };
};
