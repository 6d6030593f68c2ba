/**
 * Tenant scoping, in one place: every store read or write a route makes goes through the
 * ScopedStores built here from the caller's principal, which bind its scope to the query. Routes
 * have no other way to the data. A narrowed scope sees only its rows: not other tenants' rows,
 * totals or existence, and not unshared idle (which would reveal the fleet's total).
 */
import type { CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { computeModelCost, type ModelCostRow } from '../../pipeline/cost/model-cost.ts';
import type { AllocationQuery, AllocationResult, PodDetails } from '../../pipeline/store/allocation-store.ts';
import type { AuditQuery, AuditRecord } from '../../pipeline/store/audit-store.ts';
import type { CostRange } from '../../pipeline/store/cost-ledger-sql.ts';
import type { TenantQuota } from '../../pipeline/store/quota-store.ts';
import { ApiError, ApiErrorCode } from '../errors.ts';
import type { ApiStores } from '../stores.ts';
import type { Principal } from './principal.ts';

export interface ScopedStores {
  allocation(query: Omit<AllocationQuery, 'scope'>): Promise<AllocationResult>;
  podDetails(podUids: readonly string[]): Promise<Map<string, PodDetails>>;
  /** Model cost of the scope's pods only; tokens of pods outside it (or unknown to the ledger) are left out when narrowed. */
  modelCost(range: CostRange): Promise<{ perTenant: ModelCostRow[]; perModel: ModelCostRow[] }>;
  ledgerRows(range: CostRange, limit: number): Promise<CostLedgerRow[]>;
  audit(query: Omit<AuditQuery, 'tenant'>): Promise<AuditRecord[]>;
  quotas(): Promise<TenantQuota[]>;
  /** Writes a quota of a tenant inside the scope (403 otherwise). */
  putQuota(quota: TenantQuota): Promise<void>;
}

export function scopedStores(stores: ApiStores, principal: Principal): ScopedStores {
  const scope = principal.scope;
  const narrowed = scope.tenant !== null || scope.team !== null || scope.namespace !== null;
  return {
    allocation: (q) => stores.allocation.allocation({ ...q, scope }),
    podDetails: (uids) => stores.allocation.podDetails(uids),
    async modelCost(range) {
      const [podCosts, tokens] = await Promise.all([
        stores.cost.podCosts(range, scope),
        stores.cost.modelTokens(range),
      ]);
      const pods = new Set(podCosts.map((p) => `${p.cluster}\u0000${p.podUid}`));
      return computeModelCost(
        podCosts,
        narrowed ? tokens.filter((t) => pods.has(`${t.cluster}\u0000${t.podUid}`)) : tokens,
      );
    },
    ledgerRows: (range, limit) => stores.cost.rows(range, scope, limit),
    audit: (q) => stores.audit.read({ ...q, tenant: scope.tenant === null ? null : scope.tenant }),
    quotas: async () => stores.quotas.list(scope.tenant),
    async putQuota(quota) {
      if (scope.tenant !== null && quota.tenant !== scope.tenant)
        throw new ApiError(ApiErrorCode.forbidden, 'the quota is outside your scope');
      await stores.quotas.put(quota);
    },
  };
}
