import { z } from 'zod';
import { AlertSeverity } from './alert.ts';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import { PricingTier } from './cost-ledger-row.ts';
import {
  epochMsSchema,
  nonEmptyStringSchema,
  nonNegativeIntSchema,
  nonNegativeNumberSchema,
  percentSchema,
  schemaVersion1Schema,
} from './fields.ts';
import { RecommendationKind, RecommendationStatus } from './recommendation.ts';

/** Thousandths of one GPU: 1000 = a whole GPU (the openb trace's and HAMi's unit). */
const milliSchema = z.int().min(0).max(1000);

/** One physical GPU of the node (MIG instances are counted in their parent's `allocatedMilli`). */
export const NodeHintGpuSchema = z
  .object({
    gpuUuid: nonEmptyStringSchema,
    /** As the node reports it (e.g. `NVIDIA A100-SXM4-80GB`). */
    model: nonEmptyStringSchema,
    /** Held by running pods (whole = 1000, fractions and MIG slices their share). */
    allocatedMilli: milliSchema,
    freeMilli: milliSchema,
    /** Over the hint's utilization window; null when the GPU reported no utilization (e.g. MIG mode under nvidia-smi). */
    utilizationAvgPct: percentSchema.nullable(),
    utilizationP95Pct: percentSchema.nullable(),
    /** 100 − utilizationP95Pct: busy capacity a co-located pod could still get. */
    utilizationHeadroomPct: percentSchema.nullable(),
    memoryUsedMaxBytes: nonNegativeIntSchema.nullable(),
    memoryTotalBytes: nonNegativeIntSchema.nullable(),
    /** Catalog price of this GPU per hour; null when its model has no price. */
    costUsdPerHour: nonNegativeNumberSchema.nullable(),
  })
  .readonly();
export type NodeHintGpu = z.infer<typeof NodeHintGpuSchema>;

/** A firing alert (anomaly.alerts.v1) whose labels name this node. */
export const NodeHintAnomalySchema = z
  .object({
    alertId: nonEmptyStringSchema,
    ruleId: nonEmptyStringSchema,
    severity: z.enum(AlertSeverity),
    summary: z.string(),
    /** The alert's `gpu` label, when it names one device. */
    gpuUuid: z.string().nullable(),
    startsAtMs: epochMsSchema,
  })
  .readonly();
export type NodeHintAnomaly = z.infer<typeof NodeHintAnomalySchema>;

/** An open or accepted recommendation whose target runs on this node. */
export const NodeHintRecommendationSchema = z
  .object({
    id: nonEmptyStringSchema,
    kind: z.enum(RecommendationKind),
    status: z.enum([RecommendationStatus.open, RecommendationStatus.accepted]),
    namespace: z.string().nullable(),
    workload: z.string().nullable(),
    estimatedMonthlySavingUsd: nonNegativeNumberSchema,
  })
  .readonly();
export type NodeHintRecommendation = z.infer<typeof NodeHintRecommendationSchema>;

/** Fragmentation measure ids: a hint names the one it used, so a consumer knows what the number means. */
export const FragmentationMeasure = {
  /**
   * Free GPU milli the common pod shapes cannot use, weighted by how common each shape is
   * (scheduler/hints/fragmentation.ts, `unusableFreeMilliForShapes`).
   */
  unusableForCommonShapes: 'unusable-free-milli-for-common-shapes',
} as const;
export type FragmentationMeasure = (typeof FragmentationMeasure)[keyof typeof FragmentationMeasure];

/**
 * NodeHint v1 — what the scheduler extender needs to know about one GPU node, recomputed every
 * minute. Topic `optimize.node-hints.v1`, key `<cluster>/<node>`, created compacted
 * (cleanup.policy=compact): the topic holds at least the latest hint per node, so a consumer that
 * reads it from the beginning has the whole fleet. A hint is a snapshot, not an event: a consumer
 * keeps the latest per key and treats one older than `staleAfterMs` as absent (the node is gone or
 * the publisher is down).
 */
export const NodeHintSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    cluster: nonEmptyStringSchema,
    node: nonEmptyStringSchema,
    computedAtMs: epochMsSchema,
    /** Ignore this hint after computedAtMs + staleAfterMs. */
    staleAfterMs: z.int().min(1),
    /** The utilization figures cover [computedAtMs − utilizationWindowMs, computedAtMs). */
    utilizationWindowMs: z.int().min(1),
    /** Canonical price-catalog model id of the node's GPUs, or the reported name when the catalog lacks it. */
    gpuModel: nonEmptyStringSchema,
    pricingTier: z.enum(PricingTier),
    gpuCount: nonNegativeIntSchema,
    /** Σ allocatedMilli / 1000. */
    allocatedGpus: nonNegativeNumberSchema,
    /** Σ freeMilli. */
    freeMilli: nonNegativeIntSchema,
    /** Mean of the GPUs' utilizationHeadroomPct; null when none reported utilization. */
    utilizationHeadroomPct: percentSchema.nullable(),
    fragmentation: z
      .object({
        measure: z.enum(FragmentationMeasure),
        /** Free milli the measure counts as unusable. */
        unusableFreeMilli: nonNegativeNumberSchema,
        /** unusableFreeMilli / freeMilli, 0 when nothing is free. */
        ratio: z.number().min(0).max(1),
      })
      .readonly(),
    /** All the node's GPUs at catalog prices; null when the model has no price. */
    costUsdPerHour: nonNegativeNumberSchema.nullable(),
    /** The part of costUsdPerHour no pod holds. */
    idleCostUsdPerHour: nonNegativeNumberSchema.nullable(),
    gpus: z.array(NodeHintGpuSchema).readonly(),
    activeAnomalies: z.array(NodeHintAnomalySchema).readonly(),
    pendingRecommendations: z.array(NodeHintRecommendationSchema).readonly(),
  })
  .readonly();
export type NodeHint = z.infer<typeof NodeHintSchema>;

/** The record key of a node's hint (compaction keeps the latest per key). */
export const nodeHintKey = (cluster: string, node: string): string => `${cluster}/${node}`;

/** Decodes one `optimize.node-hints.v1` value. Never throws. */
export const decodeNodeHint = (raw: string): Result<NodeHint> => decodeJson(NodeHintSchema, raw);
