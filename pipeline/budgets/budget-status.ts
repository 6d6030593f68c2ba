/**
 * Where a budget stands (pure): spent so far, share of the amount, and the period's end forecast
 * from the burn rate so far (linear: spent / elapsed × period length). Used by `gpu-ledger budgets
 * status` and the budget-burn rule.
 */
import type { BudgetSpend } from '../rules/rule-inputs.ts';

export interface BudgetStatus {
  readonly budgetId: string;
  readonly spentUsd: number;
  readonly amountUsd: number;
  readonly spentPct: number;
  /** Fraction of the period elapsed at `atMs`, 0..1. */
  readonly elapsedFraction: number;
  /** Spend at the period's end if the burn rate so far holds; null before any time elapsed. */
  readonly forecastUsd: number | null;
  readonly forecastPct: number | null;
  /** Thresholds the spend reached (ascending). */
  readonly crossedPct: readonly number[];
  /** USD per hour so far this period. */
  readonly burnUsdPerHour: number | null;
}

export function budgetStatus(s: BudgetSpend): BudgetStatus {
  const periodMs = s.periodEndMs - s.periodStartMs;
  const elapsedMs = Math.min(periodMs, Math.max(0, s.atMs - s.periodStartMs));
  const { amountUsd, thresholdsPct } = s.budget;
  const spentPct = (s.spentUsd * 100) / amountUsd;
  const forecastUsd = elapsedMs > 0 ? (s.spentUsd / elapsedMs) * periodMs : null;
  return {
    budgetId: s.budget.id,
    spentUsd: s.spentUsd,
    amountUsd,
    spentPct,
    elapsedFraction: periodMs > 0 ? elapsedMs / periodMs : 1,
    forecastUsd,
    forecastPct: forecastUsd === null ? null : (forecastUsd * 100) / amountUsd,
    crossedPct: thresholdsPct.filter((t) => spentPct >= t),
    burnUsdPerHour: elapsedMs > 0 ? (s.spentUsd / elapsedMs) * 3_600_000 : null,
  };
}
