/**
 * Configurable sharing of costs nobody in particular caused (OpenCost-style):
 *
 * - Shared namespaces (kube-system, monitoring, …): each of their workload rows is split among the
 *   tenants of the other workload rows of the window, by those tenants' allocated GPU-seconds
 *   ('weighted', the default) or equally ('even'). The split rows keep the pod, namespace and
 *   workload; `tenant` becomes the receiving tenant. No other tenants: the row stays as it is.
 * - Idle (GPU time no pod held): 'separate' (default) keeps one idle row per node with tenant
 *   IDLE_BUCKET; 'node' spreads a node's idle cost over the tenants holding GPU time on that node,
 *   by allocated GPU-seconds; 'cluster' spreads it over the tenants of the whole window, by their
 *   cluster-wide GPU-seconds. Idle with nobody to receive it stays an IDLE_BUCKET row.
 *   A shared idle row is still bucket 'idle' (namespace/pod/podUid/workload IDLE_BUCKET) and names
 *   the receiving tenant; its team is IDLE_BUCKET, because idle is spread per tenant, not per team.
 * Weights are taken after the shared-namespace split, so a tenant's idle share includes the system
 * pods it was charged for. Spreading only moves dollars between rows: totals do not change.
 */
import { CostBucket, IDLE_BUCKET, type CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { spreadRow, weightsByTenant } from './spread.ts';

export const IdleSharing = { separate: 'separate', node: 'node', cluster: 'cluster' } as const;
export type IdleSharing = (typeof IdleSharing)[keyof typeof IdleSharing];

export interface SharingOptions {
  readonly idleSharing: IdleSharing;
  readonly sharedNamespaces: readonly string[];
  readonly sharedNamespaceSpread: 'weighted' | 'even';
}

export const DEFAULT_SHARING: SharingOptions = {
  idleSharing: 'separate',
  sharedNamespaces: [],
  sharedNamespaceSpread: 'weighted',
};

export const spreadSharedNamespaces = (rows: readonly CostLedgerRow[], options: SharingOptions): CostLedgerRow[] => {
  if (options.sharedNamespaces.length === 0) return [...rows];
  const shared = new Set(options.sharedNamespaces);
  const own = rows.filter((r) => !shared.has(r.namespace));
  const receivers = weightsByTenant(own, options.sharedNamespaceSpread);
  const out: CostLedgerRow[] = [...own];
  for (const row of rows) if (shared.has(row.namespace)) out.push(...spreadRow(row, receivers, () => row.team));
  return out;
};

/** The idle row of one node (tenant IDLE_BUCKET); `template` carries window, cluster, node, model, tier. */
export const idleRow = (
  template: Pick<CostLedgerRow, 'windowStartMs' | 'windowEndMs' | 'cluster' | 'node' | 'gpuModel' | 'pricingTier'>,
  idleGpuSeconds: number,
  idleCostUsd: number,
): CostLedgerRow => ({
  schemaVersion: 1,
  ...template,
  bucket: CostBucket.idle,
  namespace: IDLE_BUCKET,
  pod: IDLE_BUCKET,
  podUid: IDLE_BUCKET,
  tenant: IDLE_BUCKET,
  team: IDLE_BUCKET,
  workload: IDLE_BUCKET,
  model: '',
  labels: {},
  allocatedGpuSeconds: idleGpuSeconds,
  usedGpuSeconds: 0,
  priceUsdPerGpuHour: idleGpuSeconds > 0 ? idleCostUsd / (idleGpuSeconds / 3600) : 0,
  costUsd: idleCostUsd,
  wasteUsd: 0,
});

export const shareIdle = (
  workload: readonly CostLedgerRow[],
  idle: readonly CostLedgerRow[],
  options: SharingOptions,
): CostLedgerRow[] => {
  if (options.idleSharing === 'separate') return [...idle];
  const clusterReceivers = weightsByTenant(workload, 'weighted');
  return idle.flatMap((row) => {
    const receivers =
      options.idleSharing === 'cluster'
        ? clusterReceivers
        : weightsByTenant(
            workload.filter((w) => w.node === row.node),
            'weighted',
          );
    return spreadRow(row, receivers, () => IDLE_BUCKET);
  });
};
