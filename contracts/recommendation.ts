import { z } from 'zod';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import {
  epochMsSchema,
  evidenceSchema,
  nonEmptyStringSchema,
  nonNegativeNumberSchema,
  schemaVersion1Schema,
} from './fields.ts';
import { GpuRequestSchema } from './pod-event.ts';

/** What the recommender suggests (one recommender per kind, scheduler/recommender/). */
export const RecommendationKind = {
  /** Request fewer whole GPUs than now. */
  rightSize: 'right-size',
  /** Move a one-GPU workload to a smaller share: a MIG profile, else a gpu_milli fraction (time-slicing/MPS). */
  share: 'share',
  /** Run on the catalog's cheapest GPU model that still holds its memory peak and throughput. */
  cheaperGpu: 'cheaper-gpu',
  /** Release GPUs a workload holds and does not use. */
  idleReclaim: 'idle-reclaim',
  /** Move a node's pods onto the other nodes and free the node. */
  consolidate: 'consolidate',
} as const;
export type RecommendationKind = (typeof RecommendationKind)[keyof typeof RecommendationKind];

/**
 * Lifecycle: `open` → `accepted` | `dismissed` (with a reason) | `expired` (open longer than the
 * configured days); `accepted` → `realised` when the workload's later telemetry shows the
 * recommended shape (measured, not declared), or `expired` when it never does.
 */
export const RecommendationStatus = {
  open: 'open',
  accepted: 'accepted',
  dismissed: 'dismissed',
  expired: 'expired',
  realised: 'realised',
} as const;
export type RecommendationStatus = (typeof RecommendationStatus)[keyof typeof RecommendationStatus];

/** Statuses a recommendation can still move on from. */
export const LIVE_STATUSES: readonly RecommendationStatus[] = [
  RecommendationStatus.open,
  RecommendationStatus.accepted,
];

/**
 * What a recommendation is about. Workload kinds name the workload (its owner: Deployment, StatefulSet,
 * Job …, or the bare pod's own name) and the pod and node it was last seen on; `consolidate` names a
 * node only (namespace, workload, pod null; tenant null).
 */
export const RecommendationTargetSchema = z
  .object({
    cluster: nonEmptyStringSchema,
    node: nonEmptyStringSchema.nullable(),
    namespace: nonEmptyStringSchema.nullable(),
    workload: nonEmptyStringSchema.nullable(),
    pod: nonEmptyStringSchema.nullable(),
    /** The tenant the cost ledger charges (`__unallocated__` when none). */
    tenant: nonEmptyStringSchema.nullable(),
  })
  .readonly();
export type RecommendationTarget = z.infer<typeof RecommendationTargetSchema>;

/**
 * A GPU shape: the request per pod on a GPU model (canonical price-catalog id, e.g. `A100-80GB`).
 * For `consolidate`, the node's GPUs as `whole` × count now and `none` recommended (node freed).
 */
export const GpuShapeSchema = z.object({ gpuModel: nonEmptyStringSchema, gpuRequest: GpuRequestSchema }).readonly();
export type GpuShape = z.infer<typeof GpuShapeSchema>;

/**
 * Recommendation v1 — one suggested change with its $ and its lifecycle. The recommendations table's
 * row (store: pipeline/store/recommendation-store.ts), `gpu-ledger recommend --json`, and summarised
 * in each node's hint (node-hint.ts). Not a topic of its own.
 *
 * `estimatedMonthlySavingUsd` = (allocated GPU-hours × price now − the same hours in the recommended
 * shape × its price) / observed hours × 730 h, at price-catalog prices (docs/recommender.md).
 * `realisedMonthlySavingUsd` = (the ledger's cost per observed hour before acceptance − after the
 * change) × 730 h, measured once the status is `realised`; null before.
 */
export const RecommendationSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    /** Stable while the recommendation lives: re-running the recommender updates it, never duplicates it. */
    id: nonEmptyStringSchema,
    kind: z.enum(RecommendationKind),
    target: RecommendationTargetSchema,
    current: GpuShapeSchema,
    recommended: GpuShapeSchema,
    /** Numbers behind it, units in the key (`utilizationP95Pct`, `memoryPeakBytes`, `hoursObserved`, …). */
    evidence: evidenceSchema,
    estimatedMonthlySavingUsd: nonNegativeNumberSchema,
    /** 0..1: how much data backs it and how far inside the thresholds it sits (docs/recommender.md). */
    confidence: z.number().min(0).max(1),
    /** What could go wrong if applied, in one or two sentences with the numbers. */
    riskNote: z.string(),
    status: z.enum(RecommendationStatus),
    /** Why it was dismissed (required then), or what closed it; null otherwise. */
    statusReason: z.string().nullable(),
    createdAtMs: epochMsSchema,
    /** Last content or status change. */
    updatedAtMs: epochMsSchema,
    /** When it was accepted; null if never. */
    acceptedAtMs: epochMsSchema.nullable(),
    realisedMonthlySavingUsd: z.number().nullable(),
  })
  .refine((r) => r.status !== RecommendationStatus.dismissed || (r.statusReason ?? '') !== '', {
    error: 'a dismissed recommendation needs a reason',
    path: ['statusReason'],
  })
  .readonly();
export type Recommendation = z.infer<typeof RecommendationSchema>;

/** Decodes one Recommendation (JSON). Never throws. */
export const decodeRecommendation = (raw: string): Result<Recommendation> => decodeJson(RecommendationSchema, raw);
