/**
 * GET /v1/recommendations: the recommendations of your scope (scheduler/recommender) with filters,
 * and the adoption summary of those the filters (but status) select; POST …/:id/accept and
 * …/:id/dismiss (with a reason) as `gpu-ledger recommend accept|dismiss` do.
 */
import { z } from 'zod';
import { RecommendationKind, RecommendationSchema, RecommendationStatus } from '../../contracts/recommendation.ts';
import { adoptionReport } from '../../scheduler/recommender/adoption-report.ts';
import { LifecycleError } from '../../scheduler/recommender/lifecycle.ts';
import { ApiError, ApiErrorCode, invalid } from '../errors.ts';
import { defineRoute, type ApiRoute } from './route.ts';

const STATUSES = Object.values(RecommendationStatus);
const DEFAULT_STATUSES = [RecommendationStatus.open, RecommendationStatus.accepted];

const statusCounts = z.strictObject(
  Object.fromEntries(STATUSES.map((s) => [s, z.number().int()])) as Record<RecommendationStatus, z.ZodNumber>,
);
const FiguresSchema = z.strictObject({
  byStatus: statusCounts,
  adoptionRate: z.number().nullable().describe('(accepted + realised) / (accepted + realised + dismissed + expired)'),
  estimatedMonthlySavingUsd: z.number(),
  realisedEstimatedMonthlySavingUsd: z.number(),
  realisedMeasuredMonthlySavingUsd: z.number(),
  realisedMeasured: z.number().int(),
});
const AdoptionSchema = z.strictObject({
  ...FiguresSchema.shape,
  byKind: z.record(z.string(), FiguresSchema),
});

export const recommendationsRoute = defineRoute({
  method: 'get',
  paths: ['/v1/recommendations'],
  permission: 'recommendations:read',
  summary: 'recommendations of your scope, largest saving first, and their adoption',
  query: z.strictObject({
    status: z
      .string()
      .max(100)
      .optional()
      .describe(`comma list of ${STATUSES.join(', ')}, or all (default open,accepted)`),
    kind: z.enum(RecommendationKind).optional(),
    cluster: z.string().max(200).optional(),
    namespace: z.string().max(200).optional(),
    tenant: z.string().max(200).optional(),
  }),
  params: z.object({}),
  body: z.unknown(),
  response: z.strictObject({
    recommendations: z.array(RecommendationSchema),
    adoption: AdoptionSchema.describe('over the recommendations the filters select, every status'),
  }),
  async handle({ query }, ctx) {
    const statuses =
      query.status === undefined
        ? DEFAULT_STATUSES
        : query.status === 'all'
          ? STATUSES
          : query.status.split(',').map((s) => s.trim());
    const unknown = statuses.find((s) => !(STATUSES as string[]).includes(s));
    if (unknown !== undefined) throw invalid('status', `unknown "${unknown}" (use ${STATUSES.join(', ')} or all)`);
    const selected = (await ctx.stores.recommendations()).filter(
      (r) =>
        (query.kind === undefined || r.kind === query.kind) &&
        (query.cluster === undefined || r.target.cluster === query.cluster) &&
        (query.namespace === undefined || r.target.namespace === query.namespace) &&
        (query.tenant === undefined || r.target.tenant === query.tenant),
    );
    const shown = selected
      .filter((r) => statuses.includes(r.status))
      .sort((a, b) => b.estimatedMonthlySavingUsd - a.estimatedMonthlySavingUsd || (a.id < b.id ? -1 : 1));
    if (shown.length > ctx.limits.maxRows)
      throw new ApiError(ApiErrorCode.resultTooLarge, `more than ${ctx.limits.maxRows} recommendations: filter`);
    return { rows: shown.length, body: { recommendations: shown, adoption: adoptionReport(selected) } };
  },
});

const decisionRoute = (verb: 'accept' | 'dismiss'): ApiRoute =>
  defineRoute({
    method: 'post',
    paths: [`/v1/recommendations/:id/${verb}`],
    permission: 'recommendations:write',
    summary:
      verb === 'accept'
        ? 'accepts a recommendation of your scope (realised once its shape shows in the telemetry)'
        : 'dismisses a recommendation of your scope, with a reason',
    query: z.strictObject({}),
    params: z.strictObject({ id: z.string().min(1).max(200) }),
    body: z.strictObject({
      reason:
        verb === 'dismiss'
          ? z.string().trim().min(1, 'a dismissal needs a reason').max(2000)
          : z.string().max(2000).optional().describe('a note'),
    }),
    response: z.strictObject({ recommendation: RecommendationSchema }),
    async handle({ params, body }, ctx) {
      try {
        const recommendation = await ctx.stores.decide({
          id: params.id,
          to: verb === 'accept' ? 'accepted' : 'dismissed',
          reason: body.reason ?? null,
          atMs: ctx.now(),
          actor: `api:${ctx.principal.id}`,
        });
        return { rows: 1, body: { recommendation } };
      } catch (error) {
        if (error instanceof LifecycleError) throw new ApiError(ApiErrorCode.conflict, error.message);
        throw error;
      }
    },
  });

export const acceptRecommendationRoute = decisionRoute('accept');
export const dismissRecommendationRoute = decisionRoute('dismiss');
