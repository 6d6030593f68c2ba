/**
 * Was a recommendation carried out? (pure) The workload's pods that started after it was accepted
 * (or, for one still open, created) are compared with the recommended shape:
 * - right-size: a pod with at most the recommended whole GPUs;
 * - share: a pod holding at most the recommended share of one GPU (MIG slice or milli);
 * - cheaper-gpu: a pod on a node of the recommended model, or of one no dearer;
 * - idle-reclaim: no pod of the workload running any more (the pod is gone);
 * - consolidate: the node stopped reporting GPU telemetry (it was removed).
 * The realised $ compares the cost ledger's cost per observed hour before and after (× 730 h).
 */
import type { Recommendation } from '../../contracts/recommendation.ts';
import { requestShare } from '../../pipeline/cost/gpu-share.ts';
import { HOURS_PER_MONTH } from './estimate.ts';
import type { ClusterPodInterval } from './workloads.ts';

export interface ShapeContext {
  readonly nowMs: number;
  /** The workload's pods (any shape) over [since, now). */
  readonly pods: readonly ClusterPodInterval[];
  /** Canonical model of a node's GPUs; null when unknown. */
  readonly nodeModel: (cluster: string, node: string) => string | null;
  /** Catalog price of a model in the recommendation's tier; null when none. */
  readonly priceOf: (model: string) => number | null;
  /** Whether a node reported GPU telemetry recently. */
  readonly nodeSeen: (cluster: string, node: string) => boolean;
}

const EPSILON = 1e-9;

/** When the recommended shape first appeared after `since`, or null. */
export const shapeAppearedAt = (rec: Recommendation, ctx: ShapeContext): number | null => {
  const since = rec.acceptedAtMs ?? rec.createdAtMs;
  const { cluster, node } = rec.target;
  const later = ctx.pods.filter((p) => p.startMs >= since);
  const first = (ok: (p: ClusterPodInterval) => boolean): number | null =>
    later.filter(ok).reduce<number | null>((m, p) => (m === null || p.startMs < m ? p.startMs : m), null);
  const wanted = rec.recommended;
  switch (rec.kind) {
    case 'right-size':
      return first(
        (p) =>
          p.gpuRequest.kind === 'whole' &&
          wanted.gpuRequest.kind === 'whole' &&
          p.gpuRequest.count <= wanted.gpuRequest.count,
      );
    case 'share': {
      const target = requestShare(wanted.gpuRequest, wanted.gpuModel);
      return first((p) => {
        const model = ctx.nodeModel(p.cluster, p.node) ?? wanted.gpuModel;
        const s = p.gpuRequest.kind === 'none' ? 0 : requestShare(p.gpuRequest, model);
        return s > 0 && s <= target + EPSILON;
      });
    }
    case 'cheaper-gpu': {
      const wantedPrice = ctx.priceOf(wanted.gpuModel);
      return first((p) => {
        const model = ctx.nodeModel(p.cluster, p.node);
        if (model === null) return false;
        const price = ctx.priceOf(model);
        return model === wanted.gpuModel || (price !== null && wantedPrice !== null && price <= wantedPrice);
      });
    }
    case 'idle-reclaim': {
      if (ctx.pods.some((p) => p.endMs >= ctx.nowMs)) return null;
      return Math.max(since, ...ctx.pods.map((p) => p.endMs));
    }
    case 'consolidate':
      return node !== null && !ctx.nodeSeen(cluster, node) ? ctx.nowMs : null;
  }
};

/** Cost per observed hour of a range; `gone` when nothing runs there any more (cost 0). */
export interface CostRate {
  readonly costUsd: number;
  readonly hours: number;
}

/** (before $/h − after $/h) × 730 to the cent; null until both sides have observed hours. May be negative. */
export const realisedMonthlySavingUsd = (before: CostRate, after: CostRate | 'gone'): number | null => {
  if (!(before.hours > 0)) return null;
  const afterRate = after === 'gone' ? 0 : after.hours > 0 ? after.costUsd / after.hours : null;
  return afterRate === null
    ? null
    : Math.round((before.costUsd / before.hours - afterRate) * HOURS_PER_MONTH * 100) / 100;
};
