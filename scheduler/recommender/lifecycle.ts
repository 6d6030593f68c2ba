/**
 * A recommendation's lifecycle (pure): its status is the latest of its status changes, and only these
 * moves exist:
 *   open → accepted (user) | dismissed (user, with a reason) | expired (open too long) | realised
 *   accepted → dismissed (user) | realised (its shape appeared) | expired (it never did)
 *   realised → realised (its realised $ measured again)
 * `realised` is detected, never declared: an open recommendation whose shape appears is realised too
 * (applied without pressing accept), so adoption counts what was done, not what was clicked.
 */
import {
  RecommendationSchema,
  type Recommendation,
  type RecommendationStatus,
} from '../../contracts/recommendation.ts';
import type { RecommendationContent, StatusChange } from '../../pipeline/store/recommendation-store.ts';

const ALLOWED: Readonly<Record<RecommendationStatus, readonly RecommendationStatus[]>> = {
  open: ['accepted', 'dismissed', 'expired', 'realised'],
  accepted: ['dismissed', 'realised', 'expired'],
  realised: ['realised'],
  dismissed: [],
  expired: [],
};

export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
  readonly code = 'RECOMMENDATION_LIFECYCLE';
}

/** Throws LifecycleError unless `to` may follow `from` (and a dismissal has a reason). */
export const checkTransition = (
  id: string,
  from: RecommendationStatus,
  to: RecommendationStatus,
  reason: string | null,
) => {
  if (!ALLOWED[from].includes(to))
    throw new LifecycleError(
      `recommendation ${id} is ${from}: it cannot become ${to} (from ${from}: ${ALLOWED[from].join(', ') || 'nothing'})`,
    );
  if (to === 'dismissed' && (reason ?? '').trim() === '') throw new LifecycleError(`dismissing ${id} needs a reason`);
};

const byTime = (a: StatusChange, b: StatusChange) => a.atMs - b.atMs;

/** The record as the contracts define it: the content plus the latest status change (history in any order). */
export const toRecommendation = (content: RecommendationContent, history: readonly StatusChange[]): Recommendation => {
  const changes = [...history].sort(byTime);
  const last = changes[changes.length - 1];
  const accepted = changes.find((c) => c.status === 'accepted');
  return RecommendationSchema.parse({
    schemaVersion: 1,
    id: content.id,
    kind: content.kind,
    target: content.target,
    current: content.current,
    recommended: content.recommended,
    evidence: content.evidence,
    estimatedMonthlySavingUsd: content.estimatedMonthlySavingUsd,
    confidence: content.confidence,
    riskNote: content.riskNote,
    status: last?.status ?? 'open',
    statusReason: last?.reason ?? null,
    createdAtMs: content.createdAtMs,
    updatedAtMs: Math.max(content.computedAtMs, last?.atMs ?? 0),
    acceptedAtMs: accepted?.atMs ?? null,
    realisedMonthlySavingUsd: last?.status === 'realised' ? last.realisedMonthlySavingUsd : null,
  });
};
