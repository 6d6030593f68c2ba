/** GET /v1/alerts: the alerts of your scope (pipeline/rules), each incident in its latest state, newest first. */
import { z } from 'zod';
import { AlertSeverity } from '../../contracts/alert.ts';
import { AlertState } from '../../pipeline/rules/alert-record.ts';
import { invalid } from '../errors.ts';
import { defineRoute } from './route.ts';
import { parseWindowParam, windowParam } from './window-param.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const AlertViewSchema = z.strictObject({
  id: z.string().describe('this incident'),
  fingerprint: z.string().describe('the rule and subject (its labels)'),
  rule: z.string(),
  ruleKind: z.string(),
  severity: z.enum(AlertSeverity),
  state: z.enum(AlertState),
  labels: z.record(z.string(), z.string()),
  summary: z.string(),
  runbook: z.string(),
  activeAt: z.string().describe('when the condition began'),
  firedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  evaluatedAt: z.string(),
  evidence: z.record(z.string(), z.union([z.number(), z.string()])),
});

export const alertsRoute = defineRoute({
  method: 'get',
  paths: ['/v1/alerts'],
  permission: 'alerts:read',
  summary: 'alerts of your scope (their labels name your tenant), latest state per incident, newest first',
  query: z.strictObject({
    state: z.enum(AlertState).optional().describe('pending, firing or resolved (default: all)'),
    rule: z.string().max(200).optional(),
    window: windowParam.optional().describe('incidents evaluated in this window (default 7d)'),
    limit: z
      .string()
      .regex(/^\d{1,6}$/, 'a whole number')
      .optional()
      .describe('default 1000'),
  }),
  params: z.object({}),
  body: z.unknown(),
  response: z.strictObject({ alerts: z.array(AlertViewSchema) }),
  async handle({ query }, ctx) {
    const range = parseWindowParam(query.window ?? '7d', ctx.now(), ctx.limits);
    const limit = query.limit === undefined ? Math.min(1000, ctx.limits.maxRows) : Number(query.limit);
    if (limit < 1 || limit > ctx.limits.maxRows) throw invalid('limit', `must be 1..${ctx.limits.maxRows}`);
    const alerts = await ctx.stores.alerts({
      sinceMs: range.fromMs,
      limit,
      ...(query.state === undefined ? {} : { states: [query.state] }),
      ...(query.rule === undefined ? {} : { rule: query.rule }),
    });
    return {
      rows: alerts.length,
      body: {
        alerts: alerts.map((a) => ({
          id: a.alertId,
          fingerprint: a.fingerprint,
          rule: a.rule,
          ruleKind: a.ruleKind,
          severity: a.severity,
          state: a.state,
          labels: { ...a.labels },
          summary: a.summary,
          runbook: a.runbook,
          activeAt: new Date(a.activeAtMs).toISOString(),
          firedAt: iso(a.firedAtMs),
          resolvedAt: iso(a.resolvedAtMs),
          evaluatedAt: new Date(a.evaluatedAtMs).toISOString(),
          evidence: { ...a.evidence },
        })),
      },
    };
  },
});
