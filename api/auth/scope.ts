/**
 * Tenant scoping, in one place: every store read or write a route makes goes through the
 * ScopedStores built here from the caller's principal, which bind its scope to the query. Routes
 * have no other way to the data. A narrowed scope sees only its rows: not other tenants' rows,
 * totals or existence, and not unshared idle (which would reveal the fleet's total).
 */
import type { CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import type { NodeHint } from '../../contracts/node-hint.ts';
import type { Recommendation } from '../../contracts/recommendation.ts';
import type { Budget } from '../../pipeline/budgets/budget.ts';
import { AlertState, toAlert, type AlertRecord } from '../../pipeline/rules/alert-record.ts';
import type { BudgetSpend } from '../../pipeline/rules/rule-inputs.ts';
import type { AlertQuery } from '../../pipeline/store/alert-store.ts';
import type { BudgetChange } from '../../pipeline/store/budget-store.ts';
import type { LedgerScope } from '../../pipeline/store/ledger-filter.ts';
import { decide, type Decision } from '../../scheduler/recommender/decisions.ts';
import { readRecommendations } from '../../scheduler/recommender/recommender-job.ts';
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
  /** The scope's budgets (or the one of this id) with their spend this period as of atMs. */
  budgets(atMs: number, id?: string): Promise<BudgetSpend[]>;
  /** Writes a budget of the scope (403 otherwise); the change is recorded in the budget audit trail. */
  putBudget(budget: Budget): Promise<BudgetChange>;
  /** The scope's alerts (their labels name its tenant, team and namespace). */
  alerts(query: Omit<AlertQuery, 'labels'>): Promise<AlertRecord[]>;
  /** The scope's recommendations (every status). */
  recommendations(): Promise<Recommendation[]>;
  /** Accepts or dismisses one of the scope's recommendations; 404 when it is not one (whether it exists or not). */
  decide(decision: Decision): Promise<Recommendation>;
  /** Node hints; a narrowed scope gets only its own anomalies and recommendations, and no node capacity. */
  hints(nowMs: number): Promise<ScopedHint[]>;
}

/** A node hint as a scope sees it: `capacity` (the node's figures) null when the scope is narrowed. */
export interface ScopedHint {
  readonly hint: NodeHint;
  readonly capacity: boolean;
}

/** Firing alerts the hints carry: evaluated within this long (as the node-hints job's alert TTL). */
const HINT_ALERT_TTL_MS = 15 * 60_000;

/** The labels an alert must carry to be in the scope: `{}` when not narrowed. */
export const scopeAlertLabels = (scope: LedgerScope): Record<string, string> => ({
  ...(scope.tenant === null ? {} : { tenant: scope.tenant }),
  ...(scope.team === null ? {} : { team: scope.team }),
  ...(scope.namespace === null ? {} : { namespace: scope.namespace }),
});

const isNarrowed = (scope: LedgerScope) => scope.tenant !== null || scope.team !== null || scope.namespace !== null;

/**
 * A narrowed scope's budgets: its tenant's (`tenant/<t>`), and only for a scope of the whole tenant.
 * Team and namespace budgets are the platform's: the ledger's team and namespace names are not
 * per tenant, so their spend may hold other tenants' rows.
 */
export const budgetInScope = (scope: LedgerScope, b: Pick<Budget, 'scope' | 'scopeValue'>): boolean =>
  !isNarrowed(scope) ||
  (b.scope === 'tenant' && b.scopeValue === scope.tenant && scope.team === null && scope.namespace === null);

/** A recommendation names a tenant and a namespace (no team): a team-narrowed scope has none. */
export const recommendationInScope = (scope: LedgerScope, r: Recommendation): boolean =>
  !isNarrowed(scope) ||
  (scope.team === null &&
    r.target.tenant === scope.tenant &&
    (scope.namespace === null || r.target.namespace === scope.namespace));

export function scopedStores(stores: ApiStores, principal: Principal): ScopedStores {
  const scope = principal.scope;
  const narrowed = isNarrowed(scope);
  const recommendationsInScope = async () =>
    (await readRecommendations(stores.recommendations)).filter((r) => recommendationInScope(scope, r));
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
    async budgets(atMs, id) {
      const mine = (await stores.budgets.list()).filter(
        (b) => budgetInScope(scope, b) && (id === undefined || b.id === id),
      );
      return stores.budgetSpends(mine, atMs);
    },
    async putBudget(budget) {
      if (!budgetInScope(scope, budget)) throw new ApiError(ApiErrorCode.forbidden, 'the budget is outside your scope');
      return stores.budgets.set(budget);
    },
    alerts: (q) => stores.alerts.list({ ...q, labels: scopeAlertLabels(scope) }),
    recommendations: recommendationsInScope,
    async decide(d) {
      const [mine] = (await readRecommendations(stores.recommendations, { id: d.id })).filter((r) =>
        recommendationInScope(scope, r),
      );
      if (mine === undefined) throw new ApiError(ApiErrorCode.notFound, `no recommendation ${d.id}`);
      return decide(stores.recommendations, d);
    },
    async hints(nowMs) {
      const firing = await stores.alerts.list({ states: [AlertState.firing], sinceMs: nowMs - HINT_ALERT_TTL_MS });
      const hints = await stores.hints(nowMs, firing.map(toAlert));
      if (!narrowed) return hints.map((hint) => ({ hint, capacity: true }));
      const want = Object.entries(scopeAlertLabels(scope));
      const alerts = new Set(firing.filter((a) => want.every(([k, v]) => a.labels[k] === v)).map((a) => a.alertId));
      const recommendations = new Set((await recommendationsInScope()).map((r) => r.id));
      return hints
        .map((hint) => ({
          hint: {
            ...hint,
            activeAnomalies: hint.activeAnomalies.filter((a) => alerts.has(a.alertId)),
            pendingRecommendations: hint.pendingRecommendations.filter((r) => recommendations.has(r.id)),
          },
          capacity: false,
        }))
        .filter(({ hint }) => hint.activeAnomalies.length + hint.pendingRecommendations.length > 0);
    },
  };
}
