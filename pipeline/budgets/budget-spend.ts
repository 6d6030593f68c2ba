/**
 * What each budget's scope spent in its current period, as of `atMs` (fetch + the cost ledger's own
 * pure computation): the cost ledger's closed windows of the period (cost-store.ts), plus the open
 * tail since the ledger's progress (pipeline_job_state) computed exactly as the ledger job will
 * compute it (computeWindowLedgers), but not written. So a budget sees spend within a rule
 * interval, not an hour and a quarter later, and the figure it sees is the one the ledger keeps.
 */
import { COST_LEDGER_JOB } from '../cost/cost-ledger-job.ts';
import type { CostConfig } from '../cost/cost-config.ts';
import { computeWindowLedgers, eventsByCluster } from '../cost/compute-window-ledgers.ts';
import { createLedgerInputs } from '../store/ledger-inputs-store.ts';
import type { PriceLookup } from '../cost/price-lookup.ts';
import type { BudgetSpend } from '../rules/rule-inputs.ts';
import { createCostStore } from '../store/cost-store.ts';
import type { SqlExecutor } from '../store/executor.ts';
import { readJobState } from '../store/job-state.ts';
import { periodBounds, type Budget, type BudgetScope } from './budget.ts';

export interface BudgetSpendDeps {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly prices: PriceLookup;
  readonly cost: CostConfig;
  /** As the ledger job's (cost-ledger-job.ts): a sample's reach, process skew, inventory bridge and node edges. */
  readonly maxGapMs?: number;
  readonly edgeToleranceMs?: number;
  readonly bridgeMs?: number;
}

type Spend = Map<string, number>; // `${scope}\n${value}` → USD
const key = (scope: BudgetScope, value: string) => `${scope}\n${value}`;
const add = (m: Spend, k: string, usd: number) => m.set(k, (m.get(k) ?? 0) + usd);

export async function budgetSpends(
  deps: BudgetSpendDeps,
  budgets: readonly Budget[],
  atMs: number,
): Promise<BudgetSpend[]> {
  if (budgets.length === 0) return [];
  const { executor, database } = deps;
  const costStore = createCostStore(executor, { database });
  const inputs = createLedgerInputs(executor, {
    database,
    maxGapMs: deps.maxGapMs ?? 60_000,
    processSkewMs: 10 * 60_000,
    bridgeMs: deps.bridgeMs ?? 3_600_000,
  });
  const closedBeforeMs = (await readJobState(executor, database, COST_LEDGER_JOB))?.closedBeforeMs ?? 0;
  const scopes = [...new Set(budgets.map((b) => b.scope))];

  /** Spend per scope over [fromMs, toMs), computed once per range (budgets of one period share it). */
  const perRange = (compute: (fromMs: number, toMs: number, out: Spend) => Promise<void>) => {
    const cache = new Map<string, Promise<Spend>>();
    return (fromMs: number, toMs: number): Promise<Spend> => {
      const k = `${fromMs}-${toMs}`;
      let spend = cache.get(k);
      if (spend === undefined) {
        const out: Spend = new Map();
        spend = toMs <= fromMs ? Promise.resolve(out) : compute(fromMs, toMs, out).then(() => out);
        cache.set(k, spend);
      }
      return spend;
    };
  };

  const ledger = perRange(async (fromMs, toMs, out) => {
    for (const scope of scopes)
      for (const a of await costStore.aggregate({ fromMs, toMs }, [scope]))
        add(out, key(scope, a.keys[0] ?? ''), a.costUsd);
  });

  const tail = perRange(async (fromMs, toMs, out) => {
    const range = { fromMs, toMs };
    const [gpus, events] = await Promise.all([inputs.inventory(range), inputs.podEvents(range)]);
    const ledgers = computeWindowLedgers(
      { windowStartMs: fromMs, windowEndMs: toMs },
      { gpus, usage: [], events: eventsByCluster(events), keepClusters: new Set() },
      { prices: deps.prices, cost: deps.cost, edgeToleranceMs: deps.edgeToleranceMs ?? 5 * 60_000 },
    );
    for (const { result } of ledgers)
      for (const row of result.rows) for (const scope of scopes) add(out, key(scope, row[scope]), row.costUsd);
  });

  return Promise.all(
    budgets.map(async (budget) => {
      const { startMs, endMs } = periodBounds(budget.period, atMs);
      const split = Math.min(atMs, Math.max(startMs, closedBeforeMs));
      const k = key(budget.scope, budget.scopeValue);
      const ledgerUsd = (await ledger(startMs, split)).get(k) ?? 0;
      const provisionalUsd = (await tail(split, atMs)).get(k) ?? 0;
      return {
        budget,
        periodStartMs: startMs,
        periodEndMs: endMs,
        atMs,
        spentUsd: ledgerUsd + provisionalUsd,
        ledgerUsd,
        provisionalUsd,
      };
    }),
  );
}
