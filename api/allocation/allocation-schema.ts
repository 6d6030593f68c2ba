/**
 * The allocation route's request and response schemas (zod): they validate requests, build the
 * OpenAPI document (openapi.ts) and are what the tests check responses against.
 *
 * Response: OpenCost's shape, `{ code, status, data: [ { <name>: Allocation } ] }`, one set per step.
 * An Allocation carries every field of OpenCost's published allocation (CPU, RAM, PV, network and
 * load-balancer fields are 0: the ledger prices GPUs only) and ours: the two idle kinds (gpuWasteCost:
 * allocated but unused, part of gpuCost; idleCost: GPU time no pod held, an `__idle__` allocation's
 * own cost or the share shareIdle added to gpuCost), tenant/team/model, MIG profile, $/1M tokens.
 */
import { z } from 'zod';

const flag = z.enum(['true', 'false', '1', '0']).optional().describe('true or false (default false)');

export const AllocationQuerySchema = z.strictObject({
  window: z
    .string()
    .min(1)
    .max(100)
    .describe('1h | 24h | 7d | today | yesterday | week | lastweek | month | lastmonth | RFC3339,RFC3339 | unix,unix'),
  aggregate: z
    .string()
    .max(300)
    .optional()
    .describe(
      'comma list of cluster, node, namespace, pod, controller, tenant, team, model, gpuModel, label:<key>; default cluster,node,namespace,pod',
    ),
  step: z.string().max(20).optional().describe('whole hours (1h, 6h, 1d, 7d) or window (default)'),
  accumulate: flag,
  includeIdle: flag,
  shareIdle: flag,
  idleByNode: flag,
  filter: z.string().max(4000).optional().describe('OpenCost filter: field:"a","b"+field!:"c"+label[key]:"v"'),
  resolution: z.string().max(20).optional().describe('accepted for OpenCost clients; the ledger resolution is 1h'),
});
export type AllocationQueryInput = z.infer<typeof AllocationQuerySchema>;

const window = z.strictObject({ start: z.string(), end: z.string() });

export const AllocationSchema = z.strictObject({
  name: z.string(),
  properties: z.strictObject({
    cluster: z.string().optional(),
    node: z.string().optional(),
    namespace: z.string().optional(),
    pod: z.string().optional(),
    controller: z.string().optional(),
    controllerKind: z.string().optional(),
    providerID: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  window,
  start: z.string(),
  end: z.string(),
  minutes: z.number(),
  cpuCores: z.number(),
  cpuCoreRequestAverage: z.number(),
  cpuCoreUsageAverage: z.number(),
  cpuCoreHours: z.number(),
  cpuCost: z.number(),
  cpuCostAdjustment: z.number(),
  cpuEfficiency: z.number(),
  gpuCount: z.number(),
  gpuHours: z.number(),
  gpuCost: z.number(),
  gpuCostAdjustment: z.number(),
  gpuEfficiency: z.number(),
  networkTransferBytes: z.number(),
  networkReceiveBytes: z.number(),
  networkCost: z.number(),
  networkCostAdjustment: z.number(),
  loadBalancerCost: z.number(),
  loadBalancerCostAdjustment: z.number(),
  pvBytes: z.number(),
  pvByteHours: z.number(),
  pvCost: z.number(),
  pvs: z.null(),
  pvCostAdjustment: z.number(),
  ramBytes: z.number(),
  ramByteRequestAverage: z.number(),
  ramByteUsageAverage: z.number(),
  ramByteHours: z.number(),
  ramCost: z.number(),
  ramCostAdjustment: z.number(),
  ramEfficiency: z.number(),
  externalCost: z.number(),
  sharedCost: z.number(),
  totalCost: z.number(),
  totalEfficiency: z.number(),
  rawAllocationOnly: z.null(),
  // GPU Ledger's own fields.
  gpuUsedHours: z.number(),
  gpuWasteCost: z.number().describe('allocated but unused: gpuCost × (1 − used/allocated); part of gpuCost'),
  idleCost: z.number().describe('GPU time no pod held: an idle allocation’s cost, or the share shareIdle added'),
  tenant: z.string().nullable(),
  team: z.string().nullable(),
  model: z.string().nullable(),
  gpuModels: z.array(z.string()),
  migProfile: z.string().nullable().describe('the pod’s MIG profile (aggregate by pod), else null'),
  pods: z.number().int(),
  tokens: z.strictObject({ prompt: z.number(), generation: z.number() }).nullable(),
  usdPerMillionTokens: z
    .strictObject({ prompt: z.number().nullable(), generation: z.number().nullable() })
    .nullable()
    .describe('aggregate by model (and tenant), one set: cost per 1M prompt / generated tokens'),
});
export type Allocation = z.infer<typeof AllocationSchema>;

export const AllocationResponseSchema = z.strictObject({
  code: z.number().int(),
  status: z.string(),
  data: z.array(z.record(z.string(), AllocationSchema)),
  meta: z.strictObject({
    window,
    stepHours: z.number(),
    /** UTC days served from the ledger's daily pre-aggregation. */
    daysPreAggregated: z.number().int(),
  }),
});
export type AllocationResponse = z.infer<typeof AllocationResponseSchema>;
