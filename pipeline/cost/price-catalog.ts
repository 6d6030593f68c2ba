/**
 * Price catalog: USD per GPU-hour by GPU model × (node pool | instance type) × pricing tier,
 * versioned by effective date. Loaded from YAML (config/prices/*.yaml), validated once at start-up:
 * every problem is reported at once, each with its path in the document (ConfigError).
 *
 * Versions are layered: a version lists only the prices it introduces or changes; a price stays in
 * force until a later version lists the same (model, tier, pool, instanceType) key. See
 * price-lookup.ts for the resolution rule.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../contracts/config-error.ts';
import { PricingTier } from '../../contracts/cost-ledger-row.ts';
import { computeOnPremPrice, type OnPremCostInputs } from './on-prem-price.ts';

const nonEmpty = z.string().trim().min(1);
const positive = z.number().positive();

const onPremSchema = z.strictObject({
  capexUsdPerGpu: z.number().min(0),
  amortizationMonths: positive,
  powerWattsPerGpu: z.number().min(0),
  pue: z.number().min(1),
  electricityUsdPerKwh: z.number().min(0),
  hostingUsdPerGpuMonth: z.number().min(0),
});

const priceEntrySchema = z
  .strictObject({
    model: nonEmpty,
    tier: z.enum(PricingTier),
    /** Selectors: the entry applies only to nodes of this pool / instance type. Omit for "any". */
    pool: nonEmpty.optional(),
    instanceType: nonEmpty.optional(),
    usdPerGpuHour: z.number().min(0).optional(),
    onPrem: onPremSchema.optional(),
    /** What the figure was derived from (informational), e.g. "p5.48xlarge $98.32/h ÷ 8 GPUs". */
    basis: nonEmpty.optional(),
    /** Where the figure comes from: price page + date, or "ASSUMPTION: …". Required. */
    source: nonEmpty,
    assumption: z.boolean().optional(),
  })
  .refine((e) => (e.usdPerGpuHour === undefined) !== (e.onPrem === undefined), {
    error: 'give exactly one of usdPerGpuHour or onPrem',
  })
  .refine((e) => e.onPrem === undefined || e.tier === PricingTier.onPrem, {
    error: "onPrem figures are only allowed with tier 'on-prem'",
    path: ['onPrem'],
  });

const catalogSchema = z.strictObject({
  schemaVersion: z.literal(1),
  currency: z.literal('USD'),
  models: z.record(
    nonEmpty,
    z.strictObject({ description: nonEmpty.optional(), aliases: z.array(nonEmpty).default([]) }),
  ),
  fallbacks: z
    .array(z.strictObject({ tier: z.enum(PricingTier), useTier: z.enum(PricingTier), reason: nonEmpty }))
    .default([]),
  versions: z
    .array(
      z.strictObject({
        effectiveFrom: z.iso.datetime({ offset: true }),
        note: nonEmpty.optional(),
        prices: z.array(priceEntrySchema),
      }),
    )
    .min(1),
});

export interface PriceEntry {
  readonly model: string;
  readonly tier: PricingTier;
  readonly pool: string | null;
  readonly instanceType: string | null;
  readonly usdPerGpuHour: number;
  readonly onPrem: OnPremCostInputs | null;
  readonly basis: string | null;
  readonly source: string;
  readonly assumption: boolean;
}
export interface PriceVersion {
  readonly effectiveFromMs: number;
  readonly note: string;
  readonly entries: readonly PriceEntry[];
}
export interface TierFallback {
  readonly tier: PricingTier;
  readonly useTier: PricingTier;
  readonly reason: string;
}
export interface PriceCatalog {
  /** Canonical model ids, as written under `models`. */
  readonly models: readonly string[];
  /** Lower-cased model id or alias → canonical model id. */
  readonly modelIndex: ReadonlyMap<string, string>;
  readonly fallbacks: readonly TierFallback[];
  /** Ascending by effectiveFromMs. */
  readonly versions: readonly PriceVersion[];
}

const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  ) || '(root)';

export const entryKey = (e: Pick<PriceEntry, 'model' | 'tier' | 'pool' | 'instanceType'>): string =>
  `${e.model}|${e.tier}|pool=${e.pool ?? '*'}|instanceType=${e.instanceType ?? '*'}`;

/** Parses and validates a catalog document. Throws ConfigError listing every problem (prefixed with `origin`). */
export const parsePriceCatalog = (yamlText: string, origin: string): PriceCatalog => {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new ConfigError([`${origin}: not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `${origin}: ${pathOf(i.path)}: ${i.message}`));
  const doc = parsed.data;
  const problems: string[] = [];

  const modelIndex = new Map<string, string>();
  for (const [model, def] of Object.entries(doc.models)) {
    for (const [i, name] of [model, ...def.aliases].entries()) {
      const other = modelIndex.get(name.toLowerCase());
      const where = i === 0 ? `models.${model}` : `models.${model}.aliases[${i - 1}]`;
      if (other !== undefined && other !== model)
        problems.push(`${origin}: ${where}: name '${name}' already names model '${other}'`);
      else modelIndex.set(name.toLowerCase(), model);
    }
  }
  for (const [i, f] of doc.fallbacks.entries()) {
    if (f.tier === f.useTier) problems.push(`${origin}: fallbacks[${i}]: tier and useTier are both '${f.tier}'`);
  }

  let previousMs = -Infinity;
  const versions = doc.versions.map((v, vi): PriceVersion => {
    const effectiveFromMs = Date.parse(v.effectiveFrom);
    if (effectiveFromMs <= previousMs)
      problems.push(`${origin}: versions[${vi}].effectiveFrom: must be later than the previous version's`);
    previousMs = effectiveFromMs;
    const seen = new Map<string, number>();
    const entries = v.prices.map((p, pi): PriceEntry => {
      const where = `${origin}: versions[${vi}].prices[${pi}]`;
      if (!Object.hasOwn(doc.models, p.model))
        problems.push(
          `${where}.model: '${p.model}' is not declared under models (declare it; aliases are for node inventories, not for prices)`,
        );
      const entry: PriceEntry = {
        model: p.model,
        tier: p.tier,
        pool: p.pool ?? null,
        instanceType: p.instanceType ?? null,
        usdPerGpuHour: p.onPrem ? computeOnPremPrice(p.onPrem).totalUsdPerGpuHour : (p.usdPerGpuHour ?? 0),
        onPrem: p.onPrem ?? null,
        basis: p.basis ?? null,
        source: p.source,
        assumption: p.assumption ?? /^ASSUMPTION/i.test(p.source),
      };
      const key = entryKey(entry);
      const first = seen.get(key);
      if (first !== undefined) problems.push(`${where}: duplicates versions[${vi}].prices[${first}] (${key})`);
      else seen.set(key, pi);
      return entry;
    });
    return { effectiveFromMs, note: v.note ?? '', entries };
  });

  if (problems.length > 0) throw new ConfigError(problems);
  return { models: Object.keys(doc.models), modelIndex, fallbacks: doc.fallbacks, versions };
};
