/**
 * Who a pod's cost belongs to. Tenant: the operator's namespace → tenant mapping first, then the
 * pod's tenant label. The mapping wins on purpose: labels are written by whoever deploys the pod, so
 * a label must not be able to move cost (or visibility) into another tenant's namespace.
 * Team: the pod's team label, then the namespace → team mapping. Missing values are UNALLOCATED.
 */
import { UNALLOCATED } from '../../contracts/cost-ledger-row.ts';
import type { PodOwner } from '../../contracts/pod-event.ts';

export interface TenancyConfig {
  readonly namespaceTenants?: Readonly<Record<string, string>>;
  readonly namespaceTeams?: Readonly<Record<string, string>>;
  /** Label keys; defaults `tenant`, `team`, `model`. */
  readonly tenantLabel?: string;
  readonly teamLabel?: string;
  readonly modelLabel?: string;
}

export interface Attribution {
  readonly tenant: string;
  readonly team: string;
  /** Owner (controller) name, or UNALLOCATED. */
  readonly workload: string;
  /** Model served/trained, from the model label; '' when absent. */
  readonly model: string;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

export const resolveAttribution = (
  namespace: string,
  labels: Readonly<Record<string, string>>,
  owner: PodOwner | null,
  config: TenancyConfig,
): Attribution => ({
  tenant:
    nonEmpty(config.namespaceTenants?.[namespace]) ?? nonEmpty(labels[config.tenantLabel ?? 'tenant']) ?? UNALLOCATED,
  team: nonEmpty(labels[config.teamLabel ?? 'team']) ?? nonEmpty(config.namespaceTeams?.[namespace]) ?? UNALLOCATED,
  workload: owner?.name ?? UNALLOCATED,
  model: labels[config.modelLabel ?? 'model'] ?? '',
});
