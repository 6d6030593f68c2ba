import type { Alert } from '../contracts/alert.ts';
import type { NodeHint } from '../contracts/node-hint.ts';
import type { Budget } from '../pipeline/budgets/budget.ts';
import type { BudgetSpend } from '../pipeline/rules/rule-inputs.ts';
import type { AlertStore } from '../pipeline/store/alert-store.ts';
import type { AllocationStore } from '../pipeline/store/allocation-store.ts';
import type { AuditStore } from '../pipeline/store/audit-store.ts';
import type { BudgetStore } from '../pipeline/store/budget-store.ts';
import type { CostStore } from '../pipeline/store/cost-store.ts';
import type { QuotaStore } from '../pipeline/store/quota-store.ts';
import type { RecommendationStore } from '../pipeline/store/recommendation-store.ts';

/**
 * The store interfaces the API reads, unscoped. Routes never see these: they get the principal's
 * ScopedStores (auth/scope.ts), the one place where a tenant's scope is bound to every query.
 */
export interface ApiStores {
  readonly allocation: AllocationStore;
  readonly cost: CostStore;
  readonly audit: AuditStore;
  readonly quotas: QuotaStore;
  readonly budgets: BudgetStore;
  /** Spend of each budget in its period as of atMs (pipeline/budgets/budget-spend.ts, priced as the ledger). */
  budgetSpends(budgets: readonly Budget[], atMs: number): Promise<BudgetSpend[]>;
  readonly alerts: AlertStore;
  readonly recommendations: RecommendationStore;
  /** Every GPU node's hint as of nowMs (scheduler/hints/node-hints-job.ts readNodeHints), with these firing alerts. */
  hints(nowMs: number, alerts: readonly Alert[]): Promise<NodeHint[]>;
  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
}
