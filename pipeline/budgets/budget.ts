/**
 * Budgets: a $ amount per period (monthly or weekly, UTC) for one scope (a tenant, a team or a
 * namespace of the cost ledger), with alert thresholds in percent. Stored in the store
 * (budget-store.ts), changed through `gpu-ledger budgets set|delete` (every change audited).
 */
import { ConfigError } from '../../contracts/config-error.ts';

export const BudgetScope = { tenant: 'tenant', team: 'team', namespace: 'namespace' } as const;
export type BudgetScope = (typeof BudgetScope)[keyof typeof BudgetScope];

export const BudgetPeriod = { monthly: 'monthly', weekly: 'weekly' } as const;
export type BudgetPeriod = (typeof BudgetPeriod)[keyof typeof BudgetPeriod];

export const DEFAULT_THRESHOLDS_PCT: readonly number[] = [50, 80, 100];

export interface Budget {
  /** `<scope>/<value>`, e.g. `tenant/acme`: one budget per scope. */
  readonly id: string;
  readonly scope: BudgetScope;
  readonly scopeValue: string;
  readonly period: BudgetPeriod;
  readonly amountUsd: number;
  /** Ascending, each in (0, 1000]. */
  readonly thresholdsPct: readonly number[];
  readonly updatedAtMs: number;
  readonly updatedBy: string;
}

export type BudgetInput = Omit<Budget, 'id' | 'updatedAtMs' | 'updatedBy'>;

export const budgetId = (scope: BudgetScope, scopeValue: string): string => `${scope}/${scopeValue}`;

/** `tenant/acme` → scope and value; throws ConfigError for anything else. */
export function parseBudgetId(text: string): { scope: BudgetScope; scopeValue: string } {
  const slash = text.indexOf('/');
  const scope = text.slice(0, slash);
  const scopeValue = text.slice(slash + 1);
  if (slash < 0 || !(Object.values(BudgetScope) as string[]).includes(scope) || scopeValue.trim() === '')
    throw new ConfigError([`budget "${text}": expected <scope>/<value> with scope tenant, team or namespace`]);
  return { scope: scope as BudgetScope, scopeValue };
}

/** Checks a budget; one ConfigError lists every problem. Thresholds come back sorted and deduplicated. */
export function validateBudget(input: BudgetInput): BudgetInput {
  const problems: string[] = [];
  if (!(Object.values(BudgetScope) as string[]).includes(input.scope))
    problems.push(`scope must be tenant, team or namespace, got "${input.scope}"`);
  if (input.scopeValue.trim() === '') problems.push('the scope value (e.g. the tenant) must not be empty');
  if (!(Object.values(BudgetPeriod) as string[]).includes(input.period))
    problems.push(`period must be monthly or weekly, got "${input.period}"`);
  if (!Number.isFinite(input.amountUsd) || input.amountUsd <= 0)
    problems.push(`amount must be a positive number of USD, got ${input.amountUsd}`);
  if (input.thresholdsPct.length === 0) problems.push('at least one threshold is needed (e.g. 50,80,100)');
  for (const t of input.thresholdsPct)
    if (!Number.isFinite(t) || t <= 0 || t > 1000) problems.push(`threshold ${t}% is not in (0, 1000]`);
  if (problems.length > 0)
    throw new ConfigError(problems.map((p) => `budget ${input.scope}/${input.scopeValue}: ${p}`));
  return { ...input, thresholdsPct: [...new Set(input.thresholdsPct)].sort((a, b) => a - b) };
}

const DAY_MS = 86_400_000;

/** The period containing `atMs`: a UTC calendar month, or an ISO week (Monday 00:00 UTC to the next). */
export function periodBounds(period: BudgetPeriod, atMs: number): { startMs: number; endMs: number } {
  const d = new Date(atMs);
  if (period === BudgetPeriod.monthly)
    return {
      startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
      endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
    };
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  const startMs = dayStart - sinceMonday * DAY_MS;
  return { startMs, endMs: startMs + 7 * DAY_MS };
}
