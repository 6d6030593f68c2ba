import { z } from 'zod';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import {
  epochMsSchema,
  labelsSchema,
  nonEmptyStringSchema,
  nonNegativeNumberSchema,
  schemaVersion1Schema,
} from './fields.ts';

/**
 * Name used in the attribution fields (namespace, pod, podUid, workload) of idle rows: GPU time
 * that no pod held. Same spelling as OpenCost.
 */
export const IDLE_BUCKET = '__idle__';
/**
 * Value of an aggregation field the workload has no value for (no `tenant`/`team` label, no
 * owner). Same spelling as OpenCost. Use it instead of '' so that "missing" is explicit.
 */
export const UNALLOCATED = '__unallocated__';

/** How the GPU-hour is paid for; the price catalog has a price per GPU model × pool × tier. */
export const PricingTier = { onDemand: 'on-demand', committed: 'committed', spot: 'spot', onPrem: 'on-prem' } as const;
export type PricingTier = (typeof PricingTier)[keyof typeof PricingTier];

/** Every dollar lands in exactly one bucket: a workload's allocation, or idle. */
export const CostBucket = { workload: 'workload', idle: 'idle' } as const;
export type CostBucket = (typeof CostBucket)[keyof typeof CostBucket];

/**
 * CostLedgerRow v1 — the cost of one bucket on one node's GPUs of one model and tier in one window
 * `[windowStartMs, windowEndMs)`. Topic `cost.ledger.v1`; also the cost ledger table's row.
 *
 * Buckets:
 * - `workload`: one pod's allocation. `costUsd` = allocatedGpuSeconds / 3600 × priceUsdPerGpuHour
 *   (whole GPUs count k, a fraction or MIG slice its share); `wasteUsd` = the part of that cost
 *   its usage did not cover (allocated but unused). Who pays does not depend on usage.
 * - `idle`: GPU time on the node that no pod held. `namespace`, `pod`, `podUid` and `workload` are
 *   IDLE_BUCKET; `tenant`/`team` are IDLE_BUCKET too, or the receiving tenant/team when idle cost
 *   is shared out by configuration (then one idle row per receiving tenant). `usedGpuSeconds` is 0.
 * Missing tenant/team/workload on a workload row: UNALLOCATED. `model`: the pod's model name or ''.
 *
 * Invariant checked by tests (not by the decoder): for any window, the sum of `costUsd` over all
 * rows equals the fleet's GPU cost. Rows are recomputed, not accumulated: the key
 * `(windowStartMs, windowEndMs, cluster, node, gpuModel, pricingTier, bucket, podUid, tenant)`
 * identifies a row and a recomputation replaces it.
 */
export const CostLedgerRowSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    windowStartMs: epochMsSchema,
    /** Exclusive end, > windowStartMs. */
    windowEndMs: epochMsSchema,
    cluster: nonEmptyStringSchema,
    node: nonEmptyStringSchema,
    gpuModel: nonEmptyStringSchema,
    pricingTier: z.enum(PricingTier),
    bucket: z.enum(CostBucket),
    namespace: z.string(),
    pod: z.string(),
    podUid: z.string(),
    tenant: z.string(),
    team: z.string(),
    /** Owner name (Deployment, Job, …) of the pod. */
    workload: z.string(),
    model: z.string(),
    /** Pod labels carried for aggregation by any label. */
    labels: labelsSchema,
    /** GPU-seconds allocated in the window (k whole GPUs for t seconds = k·t; fractions count their share). */
    allocatedGpuSeconds: nonNegativeNumberSchema,
    /** GPU-seconds of that allocation actually used (utilization-weighted); normally ≤ allocated. */
    usedGpuSeconds: nonNegativeNumberSchema,
    priceUsdPerGpuHour: nonNegativeNumberSchema,
    costUsd: nonNegativeNumberSchema,
    /** Allocated-but-unused cost, part of costUsd (not in addition to it). */
    wasteUsd: nonNegativeNumberSchema,
  })
  .refine((row) => row.windowEndMs > row.windowStartMs, {
    error: 'must be greater than windowStartMs',
    path: ['windowEndMs'],
  })
  .readonly();
export type CostLedgerRow = z.infer<typeof CostLedgerRowSchema>;

/** Decodes one `cost.ledger.v1` value. Never throws. */
export const decodeCostLedgerRow = (raw: string): Result<CostLedgerRow> => decodeJson(CostLedgerRowSchema, raw);
