import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/config-error.ts';
import { budgetStatus } from './budget-status.ts';
import { parseBudgetId, periodBounds, validateBudget, type Budget } from './budget.ts';

describe('budgets', () => {
  it('periods are UTC calendar months and ISO weeks', () => {
    const at = Date.UTC(2026, 10, 25, 13, 5); // Wednesday
    expect(periodBounds('monthly', at)).toEqual({ startMs: Date.UTC(2026, 10, 1), endMs: Date.UTC(2026, 11, 1) });
    expect(periodBounds('weekly', at)).toEqual({ startMs: Date.UTC(2026, 10, 23), endMs: Date.UTC(2026, 10, 30) });
    expect(periodBounds('weekly', Date.UTC(2026, 10, 29, 23))).toEqual(periodBounds('weekly', at)); // Sunday
    expect(periodBounds('monthly', Date.UTC(2026, 11, 31, 23)).endMs).toBe(Date.UTC(2027, 0, 1));
  });

  it('validates with every problem in one error; thresholds sorted', () => {
    expect(
      validateBudget({
        scope: 'team',
        scopeValue: 'x',
        period: 'weekly',
        amountUsd: 10,
        thresholdsPct: [100, 50, 80, 50],
      }),
    ).toMatchObject({ thresholdsPct: [50, 80, 100] });
    let error: unknown;
    try {
      validateBudget({ scope: 'team', scopeValue: ' ', period: 'daily' as 'weekly', amountUsd: 0, thresholdsPct: [0] });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toHaveLength(4);
    expect(parseBudgetId('namespace/ml-prod')).toEqual({ scope: 'namespace', scopeValue: 'ml-prod' });
    expect(() => parseBudgetId('org/x')).toThrow(ConfigError);
  });

  it('status: share spent, thresholds crossed, linear forecast of the period end (hand-computed)', () => {
    const budget: Budget = {
      id: 'tenant/acme',
      scope: 'tenant',
      scopeValue: 'acme',
      period: 'monthly',
      amountUsd: 3000,
      thresholdsPct: [50, 80, 100],
      updatedAtMs: 0,
      updatedBy: 't',
    };
    // 6 of 30 days in, $1,650 spent: 55%, $275/day → $8,250 by the 30th, $11.46/h
    const s = budgetStatus({
      budget,
      periodStartMs: Date.UTC(2026, 10, 1),
      periodEndMs: Date.UTC(2026, 11, 1),
      atMs: Date.UTC(2026, 10, 7),
      spentUsd: 1650,
      ledgerUsd: 1600,
      provisionalUsd: 50,
    });
    expect(s).toMatchObject({
      spentPct: 55,
      crossedPct: [50],
      elapsedFraction: 0.2,
      forecastUsd: 8250,
      forecastPct: 275,
    });
    expect(s.burnUsdPerHour).toBeCloseTo(11.4583, 4);
  });
});
