/** GET /v1/audit: the audit log of the caller's scope, newest first (auditor roles only). */
import { z } from 'zod';
import { invalid } from '../errors.ts';
import { defineRoute } from './route.ts';
import { parseWindowParam, windowParam } from './window-param.ts';

const AuditRecordSchema = z.strictObject({
  requestId: z.string(),
  at: z.string(),
  principal: z.string(),
  principalKind: z.string(),
  role: z.string(),
  tenant: z.string(),
  team: z.string(),
  namespace: z.string(),
  method: z.string(),
  route: z.string(),
  path: z.string(),
  filters: z.record(z.string(), z.unknown()),
  rows: z.number().int(),
  status: z.number().int(),
  durationMs: z.number(),
});

export const auditRoute = defineRoute({
  method: 'get',
  paths: ['/v1/audit'],
  permission: 'audit:read',
  summary: 'who read or changed what: every API request of your scope, newest first',
  query: z.strictObject({
    window: windowParam,
    principal: z.string().max(200).optional(),
    route: z.string().max(200).optional(),
    status: z
      .string()
      .regex(/^\d{3}$/, 'an HTTP status')
      .optional(),
    limit: z
      .string()
      .regex(/^\d{1,6}$/, 'a whole number')
      .optional()
      .describe('default 1000'),
  }),
  params: z.object({}),
  body: z.unknown(),
  response: z.strictObject({ records: z.array(AuditRecordSchema) }),
  async handle({ query }, ctx) {
    const range = parseWindowParam(query.window, ctx.now(), ctx.limits);
    const limit = query.limit === undefined ? Math.min(1000, ctx.limits.maxRows) : Number(query.limit);
    if (limit < 1 || limit > ctx.limits.maxRows) throw invalid('limit', `must be 1..${ctx.limits.maxRows}`);
    // The audit log is read up to now, not to the hour: the latest requests are what an auditor looks for.
    const toMs = range.toMs === Math.floor(ctx.now() / 3_600_000) * 3_600_000 ? ctx.now() + 1 : range.toMs;
    const records =
      toMs > range.fromMs
        ? await ctx.stores.audit({
            fromMs: range.fromMs,
            toMs,
            limit,
            ...(query.principal === undefined ? {} : { principal: query.principal }),
            ...(query.route === undefined ? {} : { route: query.route }),
            ...(query.status === undefined ? {} : { status: Number(query.status) }),
          })
        : [];
    return {
      rows: records.length,
      body: {
        records: records.map(({ atMs, filters, clientIp: _ip, ...r }) => ({
          ...r,
          at: new Date(atMs).toISOString(),
          filters: JSON.parse(filters) as Record<string, unknown>,
        })),
      },
    };
  },
});
