/**
 * GET /v1/budgets: the scope's budgets with their spend this period, share and period-end forecast
 * (pipeline/budgets); GET and PUT /v1/budgets/:scope/:value: one budget (`tenant/acme`), set as
 * `gpu-ledger budgets set` sets it (every change in the budget audit trail, and the request in the
 * API's audit log).
 */
import { z } from 'zod';
import { ConfigError } from '../../contracts/config-error.ts';
import {
  BudgetPeriod,
  BudgetScope,
  budgetId,
  DEFAULT_THRESHOLDS_PCT,
  validateBudget,
} from '../../pipeline/budgets/budget.ts';
import { budgetStatus } from '../../pipeline/budgets/budget-status.ts';
import type { BudgetSpend } from '../../pipeline/rules/rule-inputs.ts';
import { ApiError, ApiErrorCode, invalid } from '../errors.ts';
import { defineRoute } from './route.ts';

const iso = (ms: number) => new Date(ms).toISOString();

const BudgetFields = {
  id: z.string().describe('<scope>/<value>, e.g. tenant/acme'),
  scope: z.enum(BudgetScope),
  scopeValue: z.string(),
  period: z.enum(BudgetPeriod).describe('monthly: UTC calendar month; weekly: ISO week from Monday 00:00 UTC'),
  amountUsd: z.number(),
  thresholdsPct: z.array(z.number()),
  updatedAt: z.string(),
  updatedBy: z.string(),
};

const BudgetViewSchema = z.strictObject({
  ...BudgetFields,
  periodStart: z.string(),
  periodEnd: z.string(),
  spentUsd: z.number().describe('ledgerUsd + provisionalUsd'),
  ledgerUsd: z.number().describe("the cost ledger's closed hours of the period"),
  provisionalUsd: z.number().describe('the open hour(s) since, priced as the ledger will price them'),
  spentPct: z.number(),
  forecastUsd: z.number().nullable().describe('at the period end if the burn rate so far holds'),
  forecastPct: z.number().nullable(),
  crossedPct: z.array(z.number()).describe('thresholds reached'),
  burnUsdPerHour: z.number().nullable(),
});

/** A budget as the routes show it. */
const budgetFields = (b: BudgetSpend['budget']): z.output<z.ZodObject<typeof BudgetFields>> => ({
  id: b.id,
  scope: b.scope,
  scopeValue: b.scopeValue,
  period: b.period,
  amountUsd: b.amountUsd,
  thresholdsPct: [...b.thresholdsPct],
  updatedAt: iso(b.updatedAtMs),
  updatedBy: b.updatedBy,
});

const view = (s: BudgetSpend): z.output<typeof BudgetViewSchema> => {
  const status = budgetStatus(s);
  return {
    ...budgetFields(s.budget),
    periodStart: iso(s.periodStartMs),
    periodEnd: iso(s.periodEndMs),
    spentUsd: s.spentUsd,
    ledgerUsd: s.ledgerUsd,
    provisionalUsd: s.provisionalUsd,
    spentPct: status.spentPct,
    forecastUsd: status.forecastUsd,
    forecastPct: status.forecastPct,
    crossedPct: [...status.crossedPct],
    burnUsdPerHour: status.burnUsdPerHour,
  };
};

const BudgetParams = z.strictObject({
  scope: z.enum(BudgetScope),
  value: z.string().min(1).max(200).describe('the tenant, team or namespace'),
});

export const budgetsRoute = defineRoute({
  method: 'get',
  paths: ['/v1/budgets'],
  permission: 'budgets:read',
  summary: 'the budgets of your scope with their spend this period and the period-end forecast',
  query: z.strictObject({}),
  params: z.object({}),
  body: z.unknown(),
  response: z.strictObject({ budgets: z.array(BudgetViewSchema) }),
  async handle(_input, ctx) {
    const spends = await ctx.stores.budgets(ctx.now());
    return { rows: spends.length, body: { budgets: spends.map(view) } };
  },
});

export const budgetRoute = defineRoute({
  method: 'get',
  paths: ['/v1/budgets/:scope/:value'],
  permission: 'budgets:read',
  summary: 'one budget of your scope with its spend this period',
  query: z.strictObject({}),
  params: BudgetParams,
  body: z.unknown(),
  response: BudgetViewSchema,
  async handle({ params }, ctx) {
    const id = budgetId(params.scope, params.value);
    const [spend] = await ctx.stores.budgets(ctx.now(), id);
    if (spend === undefined) throw new ApiError(ApiErrorCode.notFound, `no budget ${id}`);
    return { rows: 1, body: view(spend) };
  },
});

export const putBudgetRoute = defineRoute({
  method: 'put',
  paths: ['/v1/budgets/:scope/:value'],
  permission: 'budgets:write',
  summary: 'creates or changes a budget of your scope (recorded in the budget audit trail)',
  query: z.strictObject({}),
  params: BudgetParams,
  body: z.strictObject({
    period: z.enum(BudgetPeriod),
    amountUsd: z.number().positive().max(1e12),
    thresholdsPct: z
      .array(z.number().positive().max(1000))
      .min(1)
      .max(20)
      .optional()
      .describe(`alert thresholds in % of the amount (default ${DEFAULT_THRESHOLDS_PCT.join(', ')})`),
  }),
  response: z.strictObject({ ...BudgetFields, created: z.boolean() }),
  async handle({ params, body }, ctx) {
    let input;
    try {
      input = validateBudget({
        scope: params.scope,
        scopeValue: params.value,
        period: body.period,
        amountUsd: body.amountUsd,
        thresholdsPct: body.thresholdsPct ?? DEFAULT_THRESHOLDS_PCT,
      });
    } catch (error) {
      if (error instanceof ConfigError) throw invalid('body', error.problems.join('; '));
      throw error;
    }
    const change = await ctx.stores.putBudget({
      ...input,
      id: budgetId(input.scope, input.scopeValue),
      updatedAtMs: ctx.now(),
      updatedBy: ctx.principal.id,
    });
    const b = change.after ?? {
      ...input,
      id: change.budgetId,
      updatedAtMs: change.changedAtMs,
      updatedBy: ctx.principal.id,
    };
    return {
      rows: 1,
      body: {
        ...budgetFields(b),
        created: change.before === null,
      },
    };
  },
});
