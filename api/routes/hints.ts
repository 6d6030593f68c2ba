/**
 * GET /v1/hints: what the scheduler extender reads about each GPU node (contracts/node-hint.ts), computed
 * from the store as the node-hints job computes it (scheduler/hints). A narrowed scope sees only the
 * nodes with its firing alerts or its open recommendations, only those, and no node capacity (which
 * would reveal other tenants' use of the node).
 */
import { z } from 'zod';
import {
  NodeHintAnomalySchema,
  NodeHintGpuSchema,
  NodeHintRecommendationSchema,
  NodeHintSchema,
} from '../../contracts/node-hint.ts';
import { defineRoute } from './route.ts';

const hint = NodeHintSchema.unwrap().shape;

const CapacitySchema = z.strictObject({
  gpuCount: hint.gpuCount,
  allocatedGpus: hint.allocatedGpus,
  freeMilli: hint.freeMilli,
  utilizationHeadroomPct: hint.utilizationHeadroomPct,
  fragmentation: hint.fragmentation,
  costUsdPerHour: hint.costUsdPerHour,
  idleCostUsdPerHour: hint.idleCostUsdPerHour,
  gpus: z.array(NodeHintGpuSchema),
});

const HintViewSchema = z.strictObject({
  cluster: z.string(),
  node: z.string(),
  computedAtMs: z.number().int(),
  staleAfterMs: z.number().int(),
  utilizationWindowMs: z.number().int(),
  gpuModel: z.string(),
  pricingTier: hint.pricingTier,
  capacity: CapacitySchema.nullable().describe('null for a scope narrowed to a tenant'),
  activeAnomalies: z.array(NodeHintAnomalySchema),
  pendingRecommendations: z.array(NodeHintRecommendationSchema),
});

export const hintsRoute = defineRoute({
  method: 'get',
  paths: ['/v1/hints'],
  permission: 'hints:read',
  summary: 'node hints (headroom, fragmentation, cost rate, firing alerts, open recommendations) as of now',
  query: z.strictObject({ cluster: z.string().max(200).optional(), node: z.string().max(200).optional() }),
  params: z.object({}),
  body: z.unknown(),
  response: z.strictObject({ hints: z.array(HintViewSchema) }),
  async handle({ query }, ctx) {
    const hints = (await ctx.stores.hints(ctx.now())).filter(
      ({ hint: h }) =>
        (query.cluster === undefined || h.cluster === query.cluster) &&
        (query.node === undefined || h.node === query.node),
    );
    return {
      rows: hints.length,
      body: {
        hints: hints.map(({ hint: h, capacity }) => ({
          cluster: h.cluster,
          node: h.node,
          computedAtMs: h.computedAtMs,
          staleAfterMs: h.staleAfterMs,
          utilizationWindowMs: h.utilizationWindowMs,
          gpuModel: h.gpuModel,
          pricingTier: h.pricingTier,
          capacity: capacity
            ? {
                gpuCount: h.gpuCount,
                allocatedGpus: h.allocatedGpus,
                freeMilli: h.freeMilli,
                utilizationHeadroomPct: h.utilizationHeadroomPct,
                fragmentation: h.fragmentation,
                costUsdPerHour: h.costUsdPerHour,
                idleCostUsdPerHour: h.idleCostUsdPerHour,
                gpus: [...h.gpus],
              }
            : null,
          activeAnomalies: [...h.activeAnomalies],
          pendingRecommendations: [...h.pendingRecommendations],
        })),
      },
    };
  },
});
