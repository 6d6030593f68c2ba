/**
 * GET /v1/allocation (and /allocation/compute, so OpenCost clients work unchanged): the ledger's
 * allocations in OpenCost's query model and response shape (allocation/allocation-schema.ts).
 */
import { z } from 'zod';
import { AllocationQuerySchema, AllocationResponseSchema } from '../allocation/allocation-schema.ts';
import { toAllocationRequest } from '../allocation/allocation-request.ts';
import { toAllocationSets, type AllocationExtras } from '../allocation/to-allocation-sets.ts';
import { ApiError, ApiErrorCode } from '../errors.ts';
import { defineRoute } from './route.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

export const allocationRoute = defineRoute({
  method: 'get',
  paths: ['/v1/allocation', '/allocation/compute', '/allocation'],
  permission: 'allocation:read',
  summary: 'GPU allocations and their cost, OpenCost-compatible (one set per step)',
  query: AllocationQuerySchema,
  params: z.object({}),
  body: z.unknown(),
  response: AllocationResponseSchema,
  async handle({ query }, ctx) {
    const { store, options } = toAllocationRequest(query, ctx.now(), ctx.limits);
    const empty = options.range.toMs <= options.range.fromMs;
    const result = empty ? { groups: [], truncated: false, daysPreAggregated: 0 } : await ctx.stores.allocation(store);
    if (result.truncated)
      throw new ApiError(
        ApiErrorCode.resultTooLarge,
        `more than ${ctx.limits.maxRows} allocations: narrow the window, aggregate coarser or filter`,
      );
    const byPod = options.by.includes('pod');
    const modelOnly = options.by.includes('model') && options.by.every((k) => k === 'model' || k === 'tenant');
    const [pods, models] = await Promise.all([
      byPod
        ? ctx.stores.podDetails([...new Set(result.groups.filter((g) => g.bucket === 'workload').map((g) => g.podUid))])
        : Promise.resolve(new Map()),
      modelOnly && !empty && (options.accumulate || options.stepMs >= options.range.toMs - options.range.fromMs)
        ? ctx.stores.modelCost({ fromMs: options.range.fromMs, toMs: options.range.toMs })
        : Promise.resolve(null),
    ]);
    const tokens: AllocationExtras['tokens'] = new Map(
      (models === null ? [] : options.by.includes('tenant') ? models.perTenant : models.perModel)
        .filter((m) => m.costKnown)
        .map((m) => [
          options.by.map((k) => (k === 'model' ? m.model : (m.tenant ?? ''))).join('/'),
          { prompt: m.promptTokens, generation: m.generationTokens, costUsd: m.costUsd, costKnown: m.costKnown },
        ]),
    );
    const data = toAllocationSets(result.groups, options, { pods, tokens });
    return {
      rows: data.reduce((n, set) => n + Object.keys(set).length, 0),
      body: {
        code: 200,
        status: 'success',
        data,
        meta: {
          window: { start: iso(options.range.fromMs), end: iso(options.range.toMs) },
          stepHours: options.stepMs / 3_600_000,
          daysPreAggregated: result.daysPreAggregated,
        },
      },
    };
  },
});
