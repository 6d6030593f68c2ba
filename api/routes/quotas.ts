/**
 * GET /v1/quotas: the tenant GPU quotas of the caller's scope, each against its usage over the window
 * (average and peak hourly GPUs allocated). PUT /v1/quotas/:tenant sets one, exact to a thousandth
 * of a GPU (`12.5`, `350m`).
 */
import { z } from 'zod';
import { invalid } from '../errors.ts';
import { defineRoute } from './route.ts';
import { formatMilli, parseBytes, parseMilli } from './quota-quantity.ts';
import { parseWindowParam, windowParam } from './window-param.ts';

const QuotaSchema = z.strictObject({
  tenant: z.string(),
  gpuModel: z.string().describe("'' = all GPU models"),
  gpus: z.string().describe('quota in GPUs, exact to 0.001'),
  gpuMilli: z.number().int(),
  cpuMillicores: z.number().int(),
  memoryBytes: z.number().int(),
  usage: z.strictObject({
    averageGpus: z.number(),
    peakGpus: z.number().describe('the highest hourly average in the window'),
    averagePct: z.number().nullable().describe('average as a share of the quota, in %'),
    peakPct: z.number().nullable(),
    cpuMillicores: z.null().describe('not measured by the ledger'),
    memoryBytes: z.null().describe('not measured by the ledger'),
  }),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

export const quotasRoute = defineRoute({
  method: 'get',
  paths: ['/v1/quotas'],
  permission: 'quotas:read',
  summary: 'tenant GPU quotas against their usage over a window',
  query: z.strictObject({ window: windowParam.optional().describe('default 24h') }),
  params: z.object({}),
  body: z.unknown(),
  response: z.strictObject({
    window: z.strictObject({ start: z.string(), end: z.string() }),
    quotas: z.array(QuotaSchema),
  }),
  async handle({ query }, ctx) {
    const range = parseWindowParam(query.window ?? '24h', ctx.now(), ctx.limits);
    const hours = (range.toMs - range.fromMs) / 3_600_000;
    const [quotas, usage] = await Promise.all([
      ctx.stores.quotas(),
      hours > 0
        ? ctx.stores.allocation({
            fromMs: range.fromMs,
            toMs: range.toMs,
            stepMs: 3_600_000,
            by: ['tenant', 'gpuModel'],
            byNode: false,
            conditions: [],
            maxGroups: ctx.limits.maxRows * 10,
          })
        : Promise.resolve({ groups: [] }),
    ]);
    const workload = usage.groups.filter((g) => g.bucket === 'workload');
    const rows = quotas.map((q) => {
      const mine = workload.filter((g) => g.keys[0] === q.tenant && (q.gpuModel === '' || g.keys[1] === q.gpuModel));
      const perHour = new Map<number, number>();
      for (const g of mine) perHour.set(g.step, (perHour.get(g.step) ?? 0) + g.allocatedGpuSeconds / 3600);
      const averageGpus = hours > 0 ? mine.reduce((s, g) => s + g.allocatedGpuSeconds, 0) / 3600 / hours : 0;
      const peakGpus = Math.max(0, ...perHour.values());
      const pct = (v: number) => (q.gpuMilli > 0 ? (v / (q.gpuMilli / 1000)) * 100 : null);
      return {
        tenant: q.tenant,
        gpuModel: q.gpuModel,
        gpus: formatMilli(q.gpuMilli),
        gpuMilli: q.gpuMilli,
        cpuMillicores: q.cpuMillicores,
        memoryBytes: q.memoryBytes,
        usage: {
          averageGpus,
          peakGpus,
          averagePct: pct(averageGpus),
          peakPct: pct(peakGpus),
          cpuMillicores: null,
          memoryBytes: null,
        },
        updatedAt: new Date(q.updatedAtMs).toISOString(),
        updatedBy: q.updatedBy,
      };
    });
    return {
      rows: rows.length,
      body: {
        window: { start: new Date(range.fromMs).toISOString(), end: new Date(range.toMs).toISOString() },
        quotas: rows,
      },
    };
  },
});

const quantity = z.string().max(40);

export const putQuotaRoute = defineRoute({
  method: 'put',
  paths: ['/v1/quotas/:tenant'],
  permission: 'quotas:write',
  summary: "sets a tenant's GPU quota (per GPU model or all), CPU and memory",
  params: z.strictObject({ tenant: z.string().min(1).max(200) }),
  query: z.strictObject({}),
  body: z.strictObject({
    gpuModel: z.string().max(200).default('').describe("'' or absent: all GPU models"),
    gpus: quantity.describe('12.5 or 350m'),
    cpu: quantity.optional().describe('cores: 64 or 500m'),
    memory: quantity.optional().describe('bytes: 256Gi'),
  }),
  response: z.strictObject({
    tenant: z.string(),
    gpuModel: z.string(),
    gpuMilli: z.number().int(),
    cpuMillicores: z.number().int(),
    memoryBytes: z.number().int(),
  }),
  async handle({ params, body }, ctx) {
    const gpuMilli = parseMilli(body.gpus);
    if (gpuMilli === null) throw invalid('gpus', `"${body.gpus}" is not a GPU quantity (12.5, 0.125 or 350m)`);
    const cpuMillicores = body.cpu === undefined ? 0 : parseMilli(body.cpu);
    if (cpuMillicores === null) throw invalid('cpu', `"${body.cpu}" is not a CPU quantity (64 or 500m)`);
    const memoryBytes = body.memory === undefined ? 0 : parseBytes(body.memory);
    if (memoryBytes === null) throw invalid('memory', `"${body.memory}" is not a memory quantity (256Gi, 500M)`);
    const quota = { tenant: params.tenant, gpuModel: body.gpuModel, gpuMilli, cpuMillicores, memoryBytes };
    await ctx.stores.putQuota({ ...quota, updatedAtMs: ctx.now(), updatedBy: ctx.principal.id });
    return { rows: 1, body: quota };
  },
});
