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

/** What the recommender suggests. */
export const OptimizationHintKind = {
  /** Request fewer GPUs / a smaller share. */
  rightSize: 'right-size',
  /** Share a GPU (time-slicing/MPS) with other workloads. */
  share: 'share',
  /** Move to a MIG slice. */
  mig: 'mig',
  /** Pack onto fewer nodes. */
  consolidate: 'consolidate',
  /** Stop a workload that holds GPUs and does nothing. */
  idleShutdown: 'idle-shutdown',
  /** Run on a cheaper GPU model or tier. */
  cheaperGpu: 'cheaper-gpu',
} as const;
export type OptimizationHintKind = (typeof OptimizationHintKind)[keyof typeof OptimizationHintKind];

/** `open` until a user accepts or dismisses the hint. */
export const OptimizationHintStatus = { open: 'open', accepted: 'accepted', dismissed: 'dismissed' } as const;
export type OptimizationHintStatus = (typeof OptimizationHintStatus)[keyof typeof OptimizationHintStatus];

/** The workload a hint is about; `pod` narrows it to one pod, null for the whole workload. */
export const HintTargetSchema = z
  .object({
    cluster: nonEmptyStringSchema,
    namespace: nonEmptyStringSchema,
    /** Owner name (Deployment, Job, …); a bare pod's own name. */
    workload: nonEmptyStringSchema,
    pod: nonEmptyStringSchema.nullable(),
  })
  .readonly();
export type HintTarget = z.infer<typeof HintTargetSchema>;

/**
 * OptimizationHint v1 — one recommendation for one workload. Topic `optimize.hints.v1`; also the
 * hints table's row.
 *
 * Lifecycle: created `open` by the recommender; a user marks it `accepted` or `dismissed` (adoption
 * is measured from these). A status change is re-published with the same `id` and `createdAtMs`;
 * the latest record per `id` wins. The recommender keeps one `id` per (kind, target) while the
 * condition holds, so re-running it does not duplicate hints.
 */
export const OptimizationHintSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    id: nonEmptyStringSchema,
    kind: z.enum(OptimizationHintKind),
    target: HintTargetSchema,
    /** The numbers behind the hint (units in the key, e.g. `p95UtilizationPct: 12`). */
    evidence: evidenceSchema,
    /** Estimated saving if applied, USD per 30-day month, >= 0. */
    estimatedMonthlySavingUsd: nonNegativeNumberSchema,
    /** 0..1. */
    confidence: z.number().min(0).max(1),
    createdAtMs: epochMsSchema,
    status: z.enum(OptimizationHintStatus),
  })
  .readonly();
export type OptimizationHint = z.infer<typeof OptimizationHintSchema>;

/** Decodes one `optimize.hints.v1` value. Never throws. */
export const decodeOptimizationHint = (raw: string): Result<OptimizationHint> =>
  decodeJson(OptimizationHintSchema, raw);
