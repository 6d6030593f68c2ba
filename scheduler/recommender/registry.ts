/** Every recommender, by kind: one plain map (add a kind: one file and one line here). */
import type { RecommendationKind } from '../../contracts/recommendation.ts';
import { cheaperGpu } from './cheaper-gpu.ts';
import { consolidate } from './consolidate.ts';
import { idleReclaim } from './idle-reclaim.ts';
import { rightSize } from './right-size.ts';
import { share } from './share.ts';
import type { Candidate, Recommender, RecommenderInput } from './types.ts';

export const RECOMMENDERS: Readonly<Record<RecommendationKind, Recommender>> = {
  'right-size': rightSize,
  share,
  'cheaper-gpu': cheaperGpu,
  'idle-reclaim': idleReclaim,
  consolidate,
};

/** Every kind's candidates that save at least minMonthlySavingUsd, by kind then target. */
export const computeCandidates = (input: RecommenderInput): Candidate[] =>
  Object.values(RECOMMENDERS)
    .flatMap((r) => r.compute(input))
    .filter((c) => c.estimatedMonthlySavingUsd >= input.config.minMonthlySavingUsd);
