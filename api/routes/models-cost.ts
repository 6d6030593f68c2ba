/** GET /v1/models/cost: what serving each model cost, per tenant or per model, and $ per 1M tokens (model-cost.ts). */
import { z } from 'zod';
import { ApiError, ApiErrorCode } from '../errors.ts';
import { defineRoute } from './route.ts';
import { parseWindowParam, windowParam } from './window-param.ts';

const ModelCostSchema = z.strictObject({
  model: z.string(),
  tenant: z.string().nullable(),
  costKnown: z.boolean(),
  pods: z.number().int(),
  costUsd: z.number(),
  requests: z.number(),
  promptTokens: z.number(),
  generationTokens: z.number(),
  usdPerMillionPromptTokens: z.number().nullable(),
  usdPerMillionGenerationTokens: z.number().nullable(),
});

export const modelsCostRoute = defineRoute({
  method: 'get',
  paths: ['/v1/models/cost'],
  permission: 'models:read',
  summary: 'cost of the pods serving each model and $ per 1M prompt / generated tokens',
  query: z.strictObject({
    window: windowParam,
    per: z.enum(['tenant', 'model']).optional().describe('tenant (model × tenant, default) or model'),
  }),
  params: z.object({}),
  body: z.unknown(),
  response: z.strictObject({
    window: z.strictObject({ start: z.string(), end: z.string() }),
    models: z.array(ModelCostSchema),
  }),
  async handle({ query }, ctx) {
    const range = parseWindowParam(query.window, ctx.now(), ctx.limits);
    const result = range.toMs > range.fromMs ? await ctx.stores.modelCost(range) : { perTenant: [], perModel: [] };
    const models = query.per === 'model' ? result.perModel : result.perTenant;
    if (models.length > ctx.limits.maxRows)
      throw new ApiError(ApiErrorCode.resultTooLarge, `more than ${ctx.limits.maxRows} rows: narrow the window`);
    return {
      rows: models.length,
      body: {
        window: { start: new Date(range.fromMs).toISOString(), end: new Date(range.toMs).toISOString() },
        models,
      },
    };
  },
});
