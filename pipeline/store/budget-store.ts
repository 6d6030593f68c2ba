/**
 * Budgets and their audit trail (migration 033). A budget is versioned by its update time; the
 * latest version wins and `deleted` removes it. Every set and delete also writes a budget_changes
 * row naming who changed what, with the budget before and after.
 */
import type { Budget, BudgetPeriod, BudgetScope } from '../budgets/budget.ts';
import type { SqlExecutor } from './executor.ts';
import { ident, raw, sql, str, toEpochSeconds } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export interface BudgetChange {
  readonly changedAtMs: number;
  readonly budgetId: string;
  readonly action: 'set' | 'delete';
  readonly actor: string;
  readonly before: Budget | null;
  readonly after: Budget | null;
}

export interface BudgetStore {
  list(): Promise<Budget[]>;
  /** Writes the budget (its updatedAtMs must exceed the stored one's) and the audit row. */
  set(budget: Budget): Promise<BudgetChange>;
  /** Removes a budget; null when there was none. */
  delete(budgetId: string, actor: string, atMs: number): Promise<BudgetChange | null>;
  /** The audit trail, oldest first (one budget, or all). */
  changes(budgetId?: string): Promise<BudgetChange[]>;
}

type Raw = Record<string, unknown>;

const fromRow = (r: Raw): Budget => ({
  id: String(r['budget_id']),
  scope: String(r['scope_kind']) as BudgetScope,
  scopeValue: String(r['scope_value']),
  period: String(r['period']) as BudgetPeriod,
  amountUsd: Number(r['amount_usd']),
  thresholdsPct: (r['thresholds_pct'] as number[]).map(Number),
  updatedAtMs: toSafeNumber(r['updated_at_ms'], 'updated_at_ms'),
  updatedBy: String(r['updated_by']),
});

export function createBudgetStore(executor: SqlExecutor, config: { readonly database: string }): BudgetStore {
  const db = ident(config.database);
  const latest = (id: string | null) =>
    executor.query<Raw>(sql`
      SELECT * FROM (
        SELECT * FROM ${db}.budgets ${id === null ? raw(sql``) : raw(sql`WHERE budget_id = ${str(id)}`)}
        ORDER BY budget_id, updated_at_ms DESC LIMIT 1 BY budget_id)
      WHERE deleted = 0 ORDER BY budget_id`);
  const audit = async (change: BudgetChange) => {
    await executor.insert(`${config.database}.budget_changes`, [
      {
        changed_at: toEpochSeconds(change.changedAtMs),
        changed_at_ms: change.changedAtMs,
        budget_id: change.budgetId,
        action: change.action,
        actor: change.actor,
        before_json: change.before === null ? '' : JSON.stringify(change.before),
        after_json: change.after === null ? '' : JSON.stringify(change.after),
      },
    ]);
    return change;
  };
  const row = (b: Budget, deleted: boolean, atMs: number, actor: string) => ({
    budget_id: b.id,
    scope_kind: b.scope,
    scope_value: b.scopeValue,
    period: b.period,
    amount_usd: b.amountUsd,
    thresholds_pct: b.thresholdsPct,
    deleted: deleted ? 1 : 0,
    updated_at_ms: atMs,
    updated_by: actor,
  });
  return {
    list: async () => (await latest(null)).map(fromRow),

    async set(budget) {
      const before = (await latest(budget.id)).map(fromRow)[0] ?? null;
      const atMs = Math.max(budget.updatedAtMs, (before?.updatedAtMs ?? -1) + 1);
      const after = { ...budget, updatedAtMs: atMs };
      await executor.insert(`${config.database}.budgets`, [row(after, false, atMs, budget.updatedBy)]);
      return audit({ changedAtMs: atMs, budgetId: budget.id, action: 'set', actor: budget.updatedBy, before, after });
    },

    async delete(budgetId, actor, atMs) {
      const before = (await latest(budgetId)).map(fromRow)[0] ?? null;
      if (before === null) return null;
      const at = Math.max(atMs, before.updatedAtMs + 1);
      await executor.insert(`${config.database}.budgets`, [row(before, true, at, actor)]);
      return audit({ changedAtMs: at, budgetId, action: 'delete', actor, before, after: null });
    },

    async changes(budgetId) {
      const rows = await executor.query<Raw>(sql`
        SELECT changed_at_ms, budget_id, action, actor, before_json, after_json
        FROM ${db}.budget_changes ${budgetId === undefined ? raw(sql``) : raw(sql`WHERE budget_id = ${str(budgetId)}`)}
        ORDER BY budget_id, changed_at_ms, action
        LIMIT 1 BY budget_id, changed_at_ms, action`);
      return rows
        .map((r) => ({
          changedAtMs: toSafeNumber(r['changed_at_ms'], 'changed_at_ms'),
          budgetId: String(r['budget_id']),
          action: String(r['action']) as 'set' | 'delete',
          actor: String(r['actor']),
          before: r['before_json'] === '' ? null : (JSON.parse(String(r['before_json'])) as Budget),
          after: r['after_json'] === '' ? null : (JSON.parse(String(r['after_json'])) as Budget),
        }))
        .sort(
          (a, b) => a.changedAtMs - b.changedAtMs || (a.budgetId < b.budgetId ? -1 : a.budgetId > b.budgetId ? 1 : 0),
        );
    },
  };
}
