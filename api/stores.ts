import type { AllocationStore } from '../pipeline/store/allocation-store.ts';
import type { AuditStore } from '../pipeline/store/audit-store.ts';
import type { CostStore } from '../pipeline/store/cost-store.ts';
import type { QuotaStore } from '../pipeline/store/quota-store.ts';

/**
 * The store interfaces the API reads, unscoped. Routes never see these: they get the principal's
 * ScopedStores (auth/scope.ts), the one place where a tenant's scope is bound to every query.
 */
export interface ApiStores {
  readonly allocation: AllocationStore;
  readonly cost: CostStore;
  readonly audit: AuditStore;
  readonly quotas: QuotaStore;
  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
}
