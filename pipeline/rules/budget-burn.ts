/**
 * budget-burn: a budget's spend this period (cost ledger, plus the open tail priced the same way:
 * budget-spend.ts) reached one of its thresholds (one alert per threshold: 50% info, 80% warning,
 * 100% critical), or — once `forecastMinElapsedPct` of the period has passed — the burn rate so far
 * forecasts the period's end above the budget.
 */
import { z } from 'zod';
import type { AlertSeverity } from '../../contracts/alert.ts';
import { budgetStatus } from '../budgets/budget-status.ts';
import { percentParam } from './params.ts';
import { iso, type RuleCondition, type RuleKind } from './rule.ts';

const params = z.strictObject({
  /** No forecast alert before this share of the period has passed (too little to extrapolate). */
  forecastMinElapsedPct: percentParam.default(10),
  forecast: z.boolean().default(true),
});
export type BudgetBurnParams = z.infer<typeof params>;

export const thresholdSeverity = (pct: number): AlertSeverity =>
  pct >= 100 ? 'critical' : pct >= 80 ? 'warning' : 'info';

const usd = (x: number) => `$${x.toFixed(2)}`;

export const budgetBurnRule: RuleKind<BudgetBurnParams> = {
  kind: 'budget-burn',
  description: 'a budget reached a threshold, or its burn rate forecasts the period’s end over budget',
  defaults: {
    forMs: 0,
    severity: 'warning',
    runbook:
      'The scope is spending faster than budgeted. `gpu-ledger budgets status` shows spend and forecast; ' +
      '`gpu-ledger cost report --window <period> --by namespace,pod` shows where it goes. Reclaim idle GPUs ' +
      '(idle-allocated alerts), right-size jobs, or raise the budget on purpose (`gpu-ledger budgets set`; audited).',
  },
  params,
  lookbackMs: () => 0,
  prepare(inputs, p) {
    return (atMs) =>
      inputs.budgets
        .filter((s) => s.atMs <= atMs)
        .flatMap((s): RuleCondition[] => {
          const st = budgetStatus(s);
          const b = s.budget;
          const evidence = {
            spentUsd: Math.round(st.spentUsd * 100) / 100,
            amountUsd: b.amountUsd,
            spentPct: Math.round(st.spentPct * 10) / 10,
            ledgerUsd: Math.round(s.ledgerUsd * 100) / 100,
            provisionalUsd: Math.round(s.provisionalUsd * 100) / 100,
            period: b.period,
            periodStartMs: s.periodStartMs,
            periodEndMs: s.periodEndMs,
            ...(st.forecastUsd === null ? {} : { forecastUsd: Math.round(st.forecastUsd * 100) / 100 }),
            ...(st.burnUsdPerHour === null ? {} : { burnUsdPerHour: Math.round(st.burnUsdPerHour * 100) / 100 }),
          };
          const base = { openStart: true, activeSinceMs: s.atMs, observedUntilMs: s.atMs, evidence, rows: [] };
          const labels = { budget: b.id, [b.scope]: b.scopeValue };
          const crossed = st.crossedPct.map((t) => ({
            ...base,
            labels: { ...labels, threshold: `${t}%` },
            severity: thresholdSeverity(t),
            summary: `budget ${b.id}: ${usd(st.spentUsd)} spent of ${usd(b.amountUsd)} (${st.spentPct.toFixed(1)}%, threshold ${t}%) this ${b.period} period from ${iso(s.periodStartMs)}`,
          }));
          const forecast =
            p.forecast &&
            st.forecastPct !== null &&
            st.forecastPct >= 100 &&
            st.spentPct < 100 &&
            st.elapsedFraction * 100 >= p.forecastMinElapsedPct
              ? [
                  {
                    ...base,
                    labels: { ...labels, threshold: 'forecast' },
                    summary: `budget ${b.id}: at ${usd(st.burnUsdPerHour ?? 0)}/h the ${b.period} period ends at ${usd(st.forecastUsd ?? 0)}, ${st.forecastPct.toFixed(0)}% of ${usd(b.amountUsd)}`,
                  },
                ]
              : [];
          return [...crossed, ...forecast];
        });
  },
};
