/** Budgets & alerts: spend and period-end forecast against each budget; the alerts firing now. */
import { apiGet } from './api-client.ts';
import { barChart } from './chart.ts';
import { section, stats, table } from './dom.ts';
import { usd } from './format.ts';
import { ALERTS_PATH, BUDGETS_PATH } from './queries.ts';

export interface BudgetView {
  readonly id: string;
  readonly period: string;
  readonly amountUsd: number;
  readonly spentUsd: number;
  readonly spentPct: number;
  readonly forecastUsd: number | null;
}

interface AlertView {
  readonly rule: string;
  readonly severity: string;
  readonly state: string;
  readonly summary: string;
  readonly labels: Record<string, string>;
}

export async function budgetsView(): Promise<HTMLElement[]> {
  const [{ budgets }, { alerts }] = await Promise.all([
    apiGet<{ budgets: BudgetView[] }>(BUDGETS_PATH),
    apiGet<{ alerts: AlertView[] }>(ALERTS_PATH),
  ]);
  return [
    stats([
      ['budgets-count', 'Budgets', String(budgets.length)],
      ['budgets-spent', 'Spent this period', usd(budgets.reduce((t, b) => t + b.spentUsd, 0))],
      ['alerts-firing', 'Alerts firing', String(alerts.length)],
    ]),
    section(
      'Burn against budget',
      barChart(
        'budgets',
        'Budget, forecast and spend ($)',
        budgets.map((b) => b.id),
        [
          { label: 'budget', values: budgets.map((b) => b.amountUsd) },
          { label: 'forecast', values: budgets.map((b) => b.forecastUsd) },
          { label: 'spent', values: budgets.map((b) => b.spentUsd) },
        ],
      ),
      table(
        'budgets',
        ['budget', 'period', 'amount', 'spent', 'forecast'],
        budgets.map((b) => [
          b.id,
          b.period,
          usd(b.amountUsd),
          usd(b.spentUsd),
          b.forecastUsd === null ? '–' : usd(b.forecastUsd),
        ]),
      ),
    ),
    section(
      'Alerts firing',
      table(
        'alerts',
        ['rule', 'severity', 'summary', 'labels'],
        alerts.map((a) => [
          a.rule,
          a.severity,
          a.summary,
          Object.entries(a.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        ]),
      ),
    ),
  ];
}
