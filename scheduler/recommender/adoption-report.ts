/**
 * Adoption of recommendations (pure): how many were taken, and whether they saved what they said.
 *   adoption rate = (accepted + realised) / (accepted + realised + dismissed + expired)
 * (decided recommendations only; open ones are counted apart), and for the realised ones the sum of
 * the estimated monthly $ next to the sum of the measured (realised) monthly $.
 */
import type { Recommendation, RecommendationKind, RecommendationStatus } from '../../contracts/recommendation.ts';

export interface AdoptionFigures {
  readonly byStatus: Readonly<Record<RecommendationStatus, number>>;
  /** null when nothing was decided yet. */
  readonly adoptionRate: number | null;
  readonly estimatedMonthlySavingUsd: number;
  /** Realised recommendations only: their estimate, and what was measured (those measured so far). */
  readonly realisedEstimatedMonthlySavingUsd: number;
  readonly realisedMeasuredMonthlySavingUsd: number;
  readonly realisedMeasured: number;
}

export interface AdoptionReport extends AdoptionFigures {
  readonly byKind: Readonly<Partial<Record<RecommendationKind, AdoptionFigures>>>;
}

const figures = (recs: readonly Recommendation[]): AdoptionFigures => {
  const byStatus = { open: 0, accepted: 0, dismissed: 0, expired: 0, realised: 0 };
  for (const r of recs) byStatus[r.status] += 1;
  const adopted = byStatus.accepted + byStatus.realised;
  const decided = adopted + byStatus.dismissed + byStatus.expired;
  const realised = recs.filter((r) => r.status === 'realised');
  const measured = realised.filter((r) => r.realisedMonthlySavingUsd !== null);
  return {
    byStatus,
    adoptionRate: decided === 0 ? null : adopted / decided,
    estimatedMonthlySavingUsd: recs.reduce((s, r) => s + r.estimatedMonthlySavingUsd, 0),
    realisedEstimatedMonthlySavingUsd: realised.reduce((s, r) => s + r.estimatedMonthlySavingUsd, 0),
    realisedMeasuredMonthlySavingUsd: measured.reduce((s, r) => s + (r.realisedMonthlySavingUsd ?? 0), 0),
    realisedMeasured: measured.length,
  };
};

export const adoptionReport = (recs: readonly Recommendation[]): AdoptionReport => {
  const kinds = [...new Set(recs.map((r) => r.kind))].sort();
  return {
    ...figures(recs),
    byKind: Object.fromEntries(kinds.map((k) => [k, figures(recs.filter((r) => r.kind === k))])),
  };
};
