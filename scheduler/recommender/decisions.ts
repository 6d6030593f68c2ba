/**
 * A user's decision on a recommendation (`gpu-ledger recommend accept|dismiss ID`): read its current
 * status, check the move (lifecycle.ts), append the status change. Returns the recommendation as it
 * now stands.
 */
import type { Recommendation } from '../../contracts/recommendation.ts';
import type { RecommendationStore } from '../../pipeline/store/recommendation-store.ts';
import { checkTransition, LifecycleError } from './lifecycle.ts';
import { readRecommendations } from './recommender-job.ts';

export interface Decision {
  readonly id: string;
  readonly to: 'accepted' | 'dismissed';
  /** Required for a dismissal. */
  readonly reason?: string | null;
  readonly atMs: number;
  readonly actor: string;
}

export async function decide(store: RecommendationStore, d: Decision): Promise<Recommendation> {
  const [current, ...more] = await readRecommendations(store, { id: d.id });
  if (current === undefined) throw new LifecycleError(`no recommendation ${d.id}`);
  if (more.length > 0) throw new LifecycleError(`recommendation id ${d.id} exists in several clusters`);
  const reason = d.reason?.trim() || null;
  checkTransition(d.id, current.status, d.to, reason);
  const atMs = Math.max(d.atMs, current.updatedAtMs + 1);
  await store.writeStatuses([
    {
      id: d.id,
      cluster: current.target.cluster,
      status: d.to,
      reason,
      atMs,
      actor: d.actor,
      realisedMonthlySavingUsd: null,
    },
  ]);
  const [after] = await readRecommendations(store, { id: d.id });
  return after ?? current;
}
