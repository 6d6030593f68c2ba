/**
 * Cost attribution settings (YAML, GPU_LEDGER_COST_CONFIG): who a namespace belongs to, how idle and
 * shared namespaces are spread, each node's pricing tier / pool / instance type, and the FOCUS billing
 * account. Validated once at start-up: one ConfigError lists every problem with its path.
 *
 *   tenancy: { namespaceTenants: { llm-serving: acme }, namespaceTeams: {}, tenantLabel: tenant }
 *   idleSharing: separate            # separate | node | cluster
 *   sharedNamespaces: [kube-system]  # spread over the other tenants (sharedNamespaceSpread: weighted | even)
 *   nodePricing:
 *     defaultTier: on-demand
 *     rules: [{ match: "spot-*", pricingTier: spot, pool: gpu-spot }]   # first match wins; * and ? globs
 *   focus: { billingAccountId: acct-1, billingAccountName: ML platform }
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../contracts/config-error.ts';
import { PricingTier } from '../../contracts/cost-ledger-row.ts';
import { IdleSharing } from './cost-sharing.ts';
import type { CostLedgerOptions } from './compute-cost-ledger.ts';
import type { FocusExportOptions } from './focus-export.ts';

const name = z.string().trim().min(1);
const ruleSchema = z.strictObject({
  /** Node-name glob: `*` any run of characters, `?` one character. */
  match: name,
  pricingTier: z.enum(PricingTier),
  pool: name.optional(),
  instanceType: name.optional(),
});
const schema = z.strictObject({
  tenancy: z
    .strictObject({
      namespaceTenants: z.record(name, name).default({}),
      namespaceTeams: z.record(name, name).default({}),
      tenantLabel: name.default('tenant'),
      teamLabel: name.default('team'),
      modelLabel: name.default('model'),
    })
    .default({
      namespaceTenants: {},
      namespaceTeams: {},
      tenantLabel: 'tenant',
      teamLabel: 'team',
      modelLabel: 'model',
    }),
  idleSharing: z.enum(IdleSharing).default('separate'),
  sharedNamespaces: z.array(name).default([]),
  sharedNamespaceSpread: z.enum(['weighted', 'even']).default('weighted'),
  nodePricing: z
    .strictObject({ defaultTier: z.enum(PricingTier).default('on-demand'), rules: z.array(ruleSchema).default([]) })
    .default({ defaultTier: 'on-demand', rules: [] }),
  focus: z
    .strictObject({
      billingAccountId: name,
      billingAccountName: name,
      providerName: name.optional(),
      regionId: name.optional(),
      regionName: name.optional(),
    })
    .default({ billingAccountId: 'gpu-ledger', billingAccountName: 'GPU Ledger' }),
});

export interface NodePricing {
  readonly pricingTier: PricingTier;
  readonly pool: string | null;
  readonly instanceType: string | null;
}

export interface CostConfig {
  readonly ledger: CostLedgerOptions;
  readonly nodePricing: {
    readonly defaultTier: PricingTier;
    readonly rules: readonly (NodePricing & { readonly match: string })[];
  };
  readonly focus: FocusExportOptions;
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** The first rule whose glob matches the node name, else the default tier (no pool, no instance type). */
export const nodePricingFor = (config: CostConfig['nodePricing'], node: string): NodePricing => {
  const rule = config.rules.find((r) => globToRegExp(r.match).test(node));
  return rule
    ? { pricingTier: rule.pricingTier, pool: rule.pool, instanceType: rule.instanceType }
    : { pricingTier: config.defaultTier, pool: null, instanceType: null };
};

const pathOf = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';

/** Parses a cost config document (an empty document gives the defaults). Throws ConfigError listing every problem. */
export const parseCostConfig = (yamlText: string, origin: string): CostConfig => {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText) ?? {};
  } catch (error) {
    throw new ConfigError([`${origin}: not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `${origin}: ${pathOf(i.path)}: ${i.message}`));
  const c = parsed.data;
  return {
    ledger: {
      tenancy: c.tenancy,
      idleSharing: c.idleSharing,
      sharedNamespaces: c.sharedNamespaces,
      sharedNamespaceSpread: c.sharedNamespaceSpread,
    },
    nodePricing: {
      defaultTier: c.nodePricing.defaultTier,
      rules: c.nodePricing.rules.map((r) => ({
        match: r.match,
        pricingTier: r.pricingTier,
        pool: r.pool ?? null,
        instanceType: r.instanceType ?? null,
      })),
    },
    focus: c.focus,
  };
};

export const DEFAULT_COST_CONFIG: CostConfig = parseCostConfig('', 'defaults');

/** Reads the file at `path` (null: the defaults); unreadable or invalid is a ConfigError. */
export const loadCostConfig = (path: string | null): CostConfig => {
  if (path === null) return DEFAULT_COST_CONFIG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: cannot read cost config: ${(error as Error).message}`]);
  }
  return parseCostConfig(text, path);
};
