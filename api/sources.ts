/**
 * Narrow interfaces of the capabilities other components are building (issue 13: budgets and alerts;
 * issue 15: recommendations and scheduler hints). Each becomes one route module in routes/ and one
 * entry of the route map when it exists; its store is scoped in auth/scope.ts like the ledger. No
 * route serves them before: api/README.md says what each will call.
 */
import type { LedgerScope } from '../pipeline/store/ledger-filter.ts';

export interface BudgetView {
  readonly id: string;
  readonly scope: { readonly tenant: string; readonly team: string | null; readonly namespace: string | null };
  readonly period: 'month' | 'quarter' | 'year';
  readonly amountUsd: number;
  readonly spentUsd: number;
  readonly forecastUsd: number | null;
  readonly thresholdsPct: readonly number[];
}

/** GET/PUT /v1/budgets (budgets:read / budgets:write). */
export interface BudgetSource {
  list(scope: LedgerScope, atMs: number): Promise<BudgetView[]>;
  put(scope: LedgerScope, budget: Omit<BudgetView, 'spentUsd' | 'forecastUsd'>): Promise<void>;
}

export interface AlertView {
  readonly id: string;
  readonly rule: string;
  readonly severity: string;
  readonly state: 'firing' | 'resolved';
  readonly tenant: string;
  readonly startsAtMs: number;
  readonly endsAtMs: number | null;
  readonly summary: string;
}

/** GET /v1/alerts (alerts:read). */
export interface AlertSource {
  list(scope: LedgerScope, query: { fromMs: number; toMs: number; state?: AlertView['state'] }): Promise<AlertView[]>;
}

export interface RecommendationView {
  readonly id: string;
  readonly kind: string;
  readonly target: { readonly cluster: string; readonly namespace: string; readonly workload: string };
  readonly monthlySavingUsd: number;
  readonly confidence: number;
  readonly status: 'open' | 'accepted' | 'dismissed';
}

/** GET /v1/recommendations, POST …/:id/accept and …/:id/dismiss (recommendations:read / :write). */
export interface RecommendationSource {
  list(scope: LedgerScope): Promise<RecommendationView[]>;
  /** False when the id is not in the scope (answered as 404, whether it exists or not). */
  decide(scope: LedgerScope, id: string, decision: 'accepted' | 'dismissed', by: string): Promise<boolean>;
}

/** GET /v1/hints (hints:read): the scheduler extender's per-node hints. */
export interface HintSource {
  list(scope: LedgerScope): Promise<readonly { node: string; kind: string; score: number; evidence: string }[]>;
}
