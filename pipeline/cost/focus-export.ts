/**
 * Cost ledger → FinOps FOCUS 1.2 CSV (Cost and Usage dataset), one FOCUS row per ledger row.
 *
 * Columns: every Mandatory column of FOCUS 1.2, the Conditional/Recommended ones this data can fill
 * (region, resource, SKU, consumed quantity, sub-account, tags, charge frequency, service
 * subcategory, commitment discounts (null: none are modelled)), then the Kubernetes allocation detail
 * as custom `x_` columns. FOCUS 1.2 has no allocation columns (1.3 added AllocatedMethodId,
 * AllocatedResourceId, … — not emitted: the validator available, focus-validator 1.0.0, cannot
 * check 1.3), so the detail also goes into Tags under the `gpu-ledger/` prefix.
 *
 * Mapping: the ledger's cost is what each tenant is charged (showback/chargeback), so BilledCost =
 * EffectiveCost = ContractedCost = ListCost = costUsd; unit prices = priceUsdPerGpuHour; quantities
 * in GPU-Hours. Idle rows are Usage charges of the node (ResourceType "Kubernetes Node").
 * PricingCategory: on-demand → Standard, spot → Dynamic, committed → Committed, on-prem → Other.
 * SubAccount = tenant. BillingPeriod = the UTC calendar month holding the charge period.
 */
import { CostBucket, type CostLedgerRow, type PricingTier } from '../../contracts/cost-ledger-row.ts';
import { toCsv, type CsvValue } from './csv.ts';

export interface FocusExportOptions {
  readonly billingAccountId: string;
  readonly billingAccountName: string;
  /** ProviderName / PublisherName / InvoiceIssuerName; default "GPU Ledger". */
  readonly providerName?: string;
  readonly publisherName?: string;
  readonly invoiceIssuerName?: string;
  readonly serviceName?: string;
  readonly regionId?: string | null;
  readonly regionName?: string | null;
}

const PRICING_CATEGORY: Record<PricingTier, string> = {
  'on-demand': 'Standard',
  spot: 'Dynamic',
  committed: 'Committed',
  'on-prem': 'Other',
};
const UNIT = 'GPU-Hours';

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const monthStart = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
const nextMonthStart = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

const FOCUS_COLUMNS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountQuantity',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'CommitmentDiscountUnit',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceId',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  'SkuId',
  'SkuMeter',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
] as const;
const CUSTOM_COLUMNS = [
  'x_Cluster',
  'x_Node',
  'x_GpuModel',
  'x_PricingTier',
  'x_CostBucket',
  'x_Namespace',
  'x_Pod',
  'x_PodUid',
  'x_Tenant',
  'x_Team',
  'x_Workload',
  'x_Model',
  'x_AllocatedGpuHours',
  'x_UsedGpuHours',
  'x_WasteCost',
  'x_GpuEfficiency',
] as const;
export const FOCUS_EXPORT_COLUMNS: readonly string[] = [...FOCUS_COLUMNS, ...CUSTOM_COLUMNS];
export type FocusRecord = Readonly<Record<(typeof FOCUS_COLUMNS)[number] | (typeof CUSTOM_COLUMNS)[number], CsvValue>>;

const describe = (r: CostLedgerRow, gpuHours: number): string =>
  r.bucket === CostBucket.workload
    ? `${gpuHours.toFixed(4)} GPU-hours of ${r.gpuModel} (${r.pricingTier}) on node ${r.node} held by pod ${r.namespace}/${r.pod}`
    : `${gpuHours.toFixed(4)} idle GPU-hours of ${r.gpuModel} (${r.pricingTier}) on node ${r.node}` +
      (r.tenant.startsWith('__') ? '' : `, shared to tenant ${r.tenant}`);

export const toFocusRecord = (r: CostLedgerRow, o: FocusExportOptions): FocusRecord => {
  const gpuHours = r.allocatedGpuSeconds / 3600;
  const workload = r.bucket === CostBucket.workload;
  const skuId = `gpu-hour:${r.gpuModel}:${r.pricingTier}`;
  const tags: Record<string, string> = {
    ...r.labels,
    'gpu-ledger/cluster': r.cluster,
    'gpu-ledger/node': r.node,
    'gpu-ledger/bucket': r.bucket,
    'gpu-ledger/namespace': r.namespace,
    'gpu-ledger/tenant': r.tenant,
    'gpu-ledger/team': r.team,
    'gpu-ledger/workload': r.workload,
  };
  return {
    AvailabilityZone: null,
    BilledCost: r.costUsd,
    BillingAccountId: o.billingAccountId,
    BillingAccountName: o.billingAccountName,
    BillingCurrency: 'USD',
    BillingPeriodEnd: isoSeconds(nextMonthStart(r.windowStartMs)),
    BillingPeriodStart: isoSeconds(monthStart(r.windowStartMs)),
    ChargeCategory: 'Usage',
    ChargeClass: null,
    ChargeDescription: describe(r, gpuHours),
    ChargeFrequency: 'Usage-Based',
    ChargePeriodEnd: isoSeconds(r.windowEndMs),
    ChargePeriodStart: isoSeconds(r.windowStartMs),
    CommitmentDiscountCategory: null,
    CommitmentDiscountId: null,
    CommitmentDiscountName: null,
    CommitmentDiscountQuantity: null,
    CommitmentDiscountStatus: null,
    CommitmentDiscountType: null,
    CommitmentDiscountUnit: null,
    ConsumedQuantity: gpuHours,
    ConsumedUnit: UNIT,
    ContractedCost: r.costUsd,
    ContractedUnitPrice: r.priceUsdPerGpuHour,
    EffectiveCost: r.costUsd,
    InvoiceId: null,
    InvoiceIssuerName: o.invoiceIssuerName ?? o.providerName ?? 'GPU Ledger',
    ListCost: r.costUsd,
    ListUnitPrice: r.priceUsdPerGpuHour,
    PricingCategory: PRICING_CATEGORY[r.pricingTier],
    PricingQuantity: gpuHours,
    PricingUnit: UNIT,
    ProviderName: o.providerName ?? 'GPU Ledger',
    PublisherName: o.publisherName ?? o.providerName ?? 'GPU Ledger',
    RegionId: o.regionId ?? null,
    RegionName: o.regionName ?? null,
    ResourceId: workload ? r.podUid : `${r.cluster}/${r.node}`,
    ResourceName: workload ? `${r.namespace}/${r.pod}` : r.node,
    ResourceType: workload ? 'Kubernetes Pod' : 'Kubernetes Node',
    ServiceCategory: 'Compute',
    ServiceName: o.serviceName ?? 'Kubernetes GPU Compute',
    ServiceSubcategory: 'Containers',
    SkuId: skuId,
    SkuMeter: 'GPU Time',
    SkuPriceId: `${skuId}:${r.priceUsdPerGpuHour}`,
    SubAccountId: r.tenant,
    SubAccountName: r.tenant,
    Tags: JSON.stringify(tags),
    x_Cluster: r.cluster,
    x_Node: r.node,
    x_GpuModel: r.gpuModel,
    x_PricingTier: r.pricingTier,
    x_CostBucket: r.bucket,
    x_Namespace: r.namespace,
    x_Pod: r.pod,
    x_PodUid: r.podUid,
    x_Tenant: r.tenant,
    x_Team: r.team,
    x_Workload: r.workload,
    x_Model: r.model === '' ? null : r.model,
    x_AllocatedGpuHours: gpuHours,
    x_UsedGpuHours: r.usedGpuSeconds / 3600,
    x_WasteCost: r.wasteUsd,
    x_GpuEfficiency: workload && r.allocatedGpuSeconds > 0 ? r.usedGpuSeconds / r.allocatedGpuSeconds : null,
  };
};

/**
 * FOCUS 1.2 CSV of the rows (header always present). A charge period must lie inside one billing
 * period (a UTC month): rows whose window crosses a month boundary are rejected (RangeError naming
 * them) — compute the ledger in windows that do not straddle months.
 */
export const toFocusCsv = (rows: readonly CostLedgerRow[], options: FocusExportOptions): string => {
  const straddling = rows.filter((r) => r.windowEndMs > nextMonthStart(r.windowStartMs));
  if (straddling.length > 0) {
    const first = straddling[0] as CostLedgerRow;
    throw new RangeError(
      `${straddling.length} ledger row(s) cross a UTC month boundary, so they fit no FOCUS billing period ` +
        `(first: ${isoSeconds(first.windowStartMs)}..${isoSeconds(first.windowEndMs)} node ${first.node}); split the window at the month start`,
    );
  }
  return toCsv(
    FOCUS_EXPORT_COLUMNS,
    rows.map((r) => {
      const rec = toFocusRecord(r, options);
      return FOCUS_EXPORT_COLUMNS.map((c) => rec[c as keyof FocusRecord]);
    }),
  );
};
