/**
 * One recommender run's candidates against the stored recommendations (pure) → what to write.
 *
 * - One live (open or accepted) recommendation per (kind, target): a candidate updates its open
 *   one in place (same id, new numbers), leaves an accepted one as accepted (what was accepted stays
 *   on record), or opens a new one, unless one for the same (kind, target) was dismissed or expired
 *   less than quietAfterCloseMs ago.
 * - Realisations the job detected (realisation.ts) move live ones to `realised`, and update the
 *   measured $ of realised ones.
 * - Expiry: open longer than expireOpenAfterMs, or accepted longer than expireAcceptedAfterMs without
 *   its shape appearing.
 */
import { createHash } from 'node:crypto';
import { LIVE_STATUSES, type Recommendation } from '../../contracts/recommendation.ts';
import type { RecommendationContent, StatusChange } from '../../pipeline/store/recommendation-store.ts';
import type { RecommenderConfig } from './recommender-config.ts';
import type { Candidate } from './types.ts';

/** A realisation found by the job: when the recommended shape first appeared, and the $ measured so far. */
export interface Realisation {
  readonly atMs: number;
  readonly realisedMonthlySavingUsd: number | null;
}

export interface ReconcileInput {
  readonly nowMs: number;
  readonly candidates: readonly Candidate[];
  readonly existing: readonly Recommendation[];
  readonly realisations: ReadonlyMap<string, Realisation>;
  readonly config: RecommenderConfig;
}

export interface ReconcileOutput {
  readonly contents: RecommendationContent[];
  readonly statuses: StatusChange[];
}

/** Identity of what a recommendation is about. */
export const targetKey = (r: Pick<Candidate, 'kind' | 'target'>): string => {
  const t = r.target;
  return JSON.stringify([r.kind, t.cluster, r.kind === 'consolidate' ? t.node : null, t.namespace, t.workload]);
};

export const recommendationId = (key: string, createdAtMs: number): string =>
  `rec-${createHash('sha256').update(`${key}@${createdAtMs}`).digest('hex').slice(0, 16)}`;

const ACTOR = 'recommender';
const days = (ms: number) => Math.round(ms / 86_400_000);

export const reconcile = (input: ReconcileInput): ReconcileOutput => {
  const { nowMs, config } = input;
  const contents: RecommendationContent[] = [];
  const statuses: StatusChange[] = [];
  const status = (r: Recommendation, s: Omit<StatusChange, 'id' | 'cluster' | 'actor'>) =>
    statuses.push({ id: r.id, cluster: r.target.cluster, actor: ACTOR, ...s });

  const live = new Map<string, Recommendation>();
  const quiet = new Set<string>();
  for (const r of input.existing) {
    if (LIVE_STATUSES.includes(r.status)) live.set(targetKey(r), r);
    else if ((r.status === 'dismissed' || r.status === 'expired') && r.updatedAtMs > nowMs - config.quietAfterCloseMs)
      quiet.add(targetKey(r));
  }

  for (const c of input.candidates) {
    const key = targetKey(c);
    const current = live.get(key);
    if (current?.status === 'accepted') continue;
    if (current === undefined && quiet.has(key)) continue;
    const createdAtMs = current?.createdAtMs ?? nowMs;
    const id = current?.id ?? recommendationId(key, createdAtMs);
    contents.push({ ...c, id, createdAtMs, computedAtMs: nowMs });
    if (current === undefined)
      statuses.push({
        id,
        cluster: c.target.cluster,
        status: 'open',
        reason: null,
        atMs: nowMs,
        actor: ACTOR,
        realisedMonthlySavingUsd: null,
      });
  }

  for (const r of input.existing) {
    const found = input.realisations.get(r.id);
    if (found !== undefined && (LIVE_STATUSES.includes(r.status) || r.status === 'realised')) {
      if (r.status === 'realised' && found.realisedMonthlySavingUsd === r.realisedMonthlySavingUsd) continue;
      const reason = r.status === 'open' ? 'applied without acceptance' : null;
      const atMs = r.status === 'realised' ? nowMs : Math.max(found.atMs, r.updatedAtMs + 1);
      status(r, {
        status: 'realised',
        reason: r.status === 'realised' ? r.statusReason : reason,
        atMs,
        realisedMonthlySavingUsd: found.realisedMonthlySavingUsd,
      });
    } else if (r.status === 'open' && nowMs - r.createdAtMs >= config.expireOpenAfterMs) {
      status(r, {
        status: 'expired',
        reason: `open for ${days(config.expireOpenAfterMs)} days without a decision`,
        atMs: nowMs,
        realisedMonthlySavingUsd: null,
      });
    } else if (r.status === 'accepted' && nowMs - (r.acceptedAtMs ?? r.updatedAtMs) >= config.expireAcceptedAfterMs) {
      status(r, {
        status: 'expired',
        reason: `accepted ${days(config.expireAcceptedAfterMs)} days ago; the recommended shape never appeared`,
        atMs: nowMs,
        realisedMonthlySavingUsd: null,
      });
    }
  }
  return { contents, statuses };
};
