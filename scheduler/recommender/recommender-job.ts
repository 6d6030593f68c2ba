/**
 * The recommender job: fetch (fleet-reads.ts) → compute (workloads.ts, the recommenders of
 * registry.ts, realisation.ts, reconcile.ts: pure) → write (recommendation-store.ts).
 *
 * - Data: the lookback's whole ledger hours [from, end of the latest computed window): pod intervals,
 *   1-minute usage, node telemetry and the ledger's GPU-hours all over that one range, so that the $
 *   of a recommendation is the ledger's GPU-hours at catalog prices.
 * - Nodes now (consolidation): the last `snapshotMs` of 1-minute rollups and the pods running now.
 * - Idempotent: a run repeated with the same data rewrites the same numbers under a newer version;
 *   two processes running it at once can open one recommendation twice (different ids), which is
 *   why `gpu-ledger pipeline` runs it in one process (`--recommend-interval off` on the others).
 * Runs on a schedule in the pipeline and on demand (`gpu-ledger recommend`).
 */
import type { Logger } from 'pino';
import type { Recommendation } from '../../contracts/recommendation.ts';
import { DEFAULT_COST_CONFIG, type CostConfig } from '../../pipeline/cost/cost-config.ts';
import type { PriceCatalog } from '../../pipeline/cost/price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import {
  createRecommendationStore,
  type RecommendationStore,
  type StatusChange,
} from '../../pipeline/store/recommendation-store.ts';
import { createFleetReads, nodeKey } from './fleet-reads.ts';
import { toNodeStates } from './fleet-snapshot.ts';
import { toRecommendation } from './lifecycle.ts';
import { measureRealisations } from './realisation-measure.ts';
import { reconcile } from './reconcile.ts';
import { DEFAULT_RECOMMENDER_CONFIG, type RecommenderConfig } from './recommender-config.ts';
import { computeCandidates } from './registry.ts';
import type { NodeSnapshot } from './types.ts';
import { toWorkloads } from './workloads.ts';

export const RECOMMENDER_JOB = 'recommender';
const HOUR_MS = 3_600_000;

export interface RecommenderJobSource {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly catalog: PriceCatalog;
  readonly cost?: CostConfig;
  readonly config?: Partial<RecommenderConfig>;
  /** Recent window for the nodes' state now. */
  readonly snapshotMs?: number;
}

export interface RecommenderJob {
  readonly name: string;
  run(): Promise<{ candidates: number; opened: number; updated: number; closed: number; workloads: number }>;
}

/** Every recommendation with its current status (optionally of one cluster or id). */
export async function readRecommendations(
  store: RecommendationStore,
  filter: { readonly cluster?: string; readonly id?: string } = {},
): Promise<Recommendation[]> {
  const history = new Map<string, StatusChange[]>();
  for (const s of await store.statuses(filter)) {
    const key = `${s.cluster}/${s.id}`;
    history.set(key, [...(history.get(key) ?? []), s]);
  }
  return (await store.contents(filter)).map((c) =>
    toRecommendation(c, history.get(`${c.target.cluster}/${c.id}`) ?? []),
  );
}

export function createRecommenderJob(
  source: RecommenderJobSource,
  deps: { readonly now: () => number; readonly logger: Logger },
): RecommenderJob {
  const config: RecommenderConfig = { ...DEFAULT_RECOMMENDER_CONFIG, ...source.config };
  const cost = source.cost ?? DEFAULT_COST_CONFIG;
  const prices = createPriceLookup(source.catalog);
  const reads = createFleetReads(source.executor, source.database);
  const store = createRecommendationStore(source.executor, { database: source.database });
  const snapshotMs = source.snapshotMs ?? 10 * 60_000;

  return {
    name: RECOMMENDER_JOB,
    async run() {
      const nowMs = Math.floor(deps.now());
      const empty = { candidates: 0, opened: 0, updated: 0, closed: 0, workloads: 0 };
      const priced = await reads.ledgerSpan({
        fromMs: Math.floor((nowMs - config.lookbackMs) / HOUR_MS) * HOUR_MS,
        toMs: nowMs,
      });
      const existing = await readRecommendations(store);
      if (priced === null) {
        // Nothing priced in the lookback: no candidates, but recommendations still expire.
        const out = reconcile({ nowMs, candidates: [], existing, realisations: new Map(), config });
        await store.writeStatuses(out.statuses);
        return { ...empty, closed: out.statuses.length };
      }
      const history = await store.statuses();
      // Pods back to the earliest `since` of the recommendations realisation still looks at (live ones, and
      // realised ones still being measured), so that the fetch does not grow with the history.
      const watched = existing.filter(
        (r) =>
          r.status === 'open' ||
          r.status === 'accepted' ||
          (r.status === 'realised' && nowMs - r.updatedAtMs <= config.lookbackMs),
      );
      const since = Math.min(
        priced.fromMs,
        ...watched.map((r) => (r.acceptedAtMs ?? r.createdAtMs) - config.lookbackMs),
      );
      const allPods = await reads.intervals({ fromMs: since, toMs: nowMs }, { fromMs: since, toMs: nowMs });
      const clipped = allPods.flatMap((p) => {
        const [startMs, endMs] = [Math.max(p.startMs, priced.fromMs), Math.min(p.endMs, priced.toMs)];
        return endMs > startMs ? [{ ...p, startMs, endMs }] : [];
      });
      const nodes = await reads.nodes(priced);
      const { workloads, problems } = toWorkloads({
        nowMs: priced.toMs,
        intervals: clipped,
        usage: await reads.usage(priced),
        costs: await reads.podCosts(priced),
        nodes,
        prices,
        pricing: cost.nodePricing,
      });
      const recent = await reads.recent({ fromMs: nowMs - snapshotMs, toMs: nowMs });
      const running = allPods.filter((p) => p.endMs >= nowMs);
      const ledger = await reads.nodeLedger(priced);
      const snapshots: NodeSnapshot[] = toNodeStates({
        nowMs,
        ...recent,
        running,
        prices,
        pricing: cost.nodePricing,
      }).map((n) => {
        const l = ledger.get(nodeKey(n.cluster, n.node));
        return {
          ...n,
          freeMilli: n.gpus.map((g) => 1000 - g.allocatedMilli),
          idleShare: l && l.costUsd > 0 ? l.idleCostUsd / l.costUsd : null,
          observedHours: l && n.gpus.length > 0 ? l.gpuSeconds / n.gpus.length / 3600 : 0,
        };
      });
      const candidates = computeCandidates({
        nowMs,
        workloads,
        nodes: snapshots,
        prices,
        models: source.catalog.models,
        config,
      });
      const seen = new Set(recent.gpuRows.map((r) => nodeKey(r.cluster, r.node)));
      const modelOf = new Map(nodes.map((n) => [nodeKey(n.cluster, n.node), n.model]));
      const realisations = await measureRealisations(reads, {
        recs: existing,
        history,
        pods: allPods,
        priced,
        lookbackMs: config.lookbackMs,
        measureForMs: config.lookbackMs,
        context: {
          nowMs,
          nodeSeen: (c, n) => seen.has(nodeKey(c, n)),
          nodeModel: (c, n) => {
            try {
              return prices.canonicalModel(modelOf.get(nodeKey(c, n)) ?? '');
            } catch {
              return null;
            }
          },
          priceOf: (model) => {
            try {
              return prices.priceAt({ gpuModel: model, tier: 'on-demand' }, nowMs).usdPerGpuHour;
            } catch {
              return null;
            }
          },
        },
      });
      const out = reconcile({ nowMs, candidates, existing, realisations, config });
      await store.writeContents(out.contents);
      await store.writeStatuses(out.statuses);
      if (problems.length > 0)
        deps.logger.warn({ problems: problems.length, first: problems.slice(0, 3) }, 'recommender skipped workloads');
      const opened = out.statuses.filter((s) => s.status === 'open').length;
      const result = {
        candidates: candidates.length,
        opened,
        updated: out.contents.length - opened,
        closed: out.statuses.filter((s) => s.status === 'expired' || s.status === 'realised').length,
        workloads: workloads.length,
      };
      deps.logger.info({ ...result, fromMs: priced.fromMs, toMs: priced.toMs }, 'recommender ran');
      return result;
    },
  };
}
