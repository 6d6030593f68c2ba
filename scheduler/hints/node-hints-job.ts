/**
 * Publishes every GPU node's hint each interval: fetch (the fleet snapshot: recent 1-minute rollups,
 * pods running now; live recommendations; firing alerts) → compute (compute-node-hints.ts, pure) →
 * send to `optimize.node-hints.v1` keyed `<cluster>/<node>` on the record bus (Kafka in distributed
 * mode, in-process in embedded mode). The topic is created compacted on first use.
 */
import type { Logger } from 'pino';
import type { RecordBus } from '../../contracts/bus.ts';
import type { Alert } from '../../contracts/alert.ts';
import { nodeHintKey, type NodeHint } from '../../contracts/node-hint.ts';
import { Topics } from '../../contracts/topics.ts';
import { DEFAULT_COST_CONFIG, type CostConfig } from '../../pipeline/cost/cost-config.ts';
import type { PriceCatalog } from '../../pipeline/cost/price-catalog.ts';
import { createPriceLookup, type PriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { createRecommendationStore } from '../../pipeline/store/recommendation-store.ts';
import { createFleetReads } from '../recommender/fleet-reads.ts';
import { toNodeStates } from '../recommender/fleet-snapshot.ts';
import { readRecommendations } from '../recommender/recommender-job.ts';
import type { ActiveAlerts } from './active-alerts.ts';
import { computeNodeHints } from './compute-node-hints.ts';

export const NODE_HINTS_JOB = 'node-hints';

export interface NodeHintsSource {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly bus: RecordBus;
  readonly catalog: PriceCatalog;
  readonly cost?: CostConfig;
  /** Firing alerts; absent: hints carry none. */
  readonly alerts?: ActiveAlerts;
  /** The utilization window (default 10 min) and the publishing interval (staleness is 3 intervals). */
  readonly windowMs?: number;
  readonly intervalMs: number;
}

export interface NodeHintReads {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly prices: PriceLookup;
  readonly cost?: CostConfig;
  /** The utilization window. */
  readonly windowMs: number;
  readonly staleAfterMs: number;
}

/**
 * Every GPU node's hint as of `nowMs`, from the store (fetch + compute-node-hints.ts): what the job
 * publishes, and what the API's /v1/hints serves.
 */
export async function readNodeHints(
  source: NodeHintReads,
  nowMs: number,
  alerts: readonly Alert[],
): Promise<NodeHint[]> {
  const reads = createFleetReads(source.executor, source.database);
  const recent = await reads.recent({ fromMs: nowMs - source.windowMs, toMs: nowMs });
  const running = await reads.intervals({ fromMs: nowMs - 1, toMs: nowMs }, { fromMs: nowMs - 1, toMs: nowMs });
  const nodes = toNodeStates({
    nowMs,
    ...recent,
    running,
    prices: source.prices,
    pricing: (source.cost ?? DEFAULT_COST_CONFIG).nodePricing,
  });
  const live = (
    await readRecommendations(createRecommendationStore(source.executor, { database: source.database }))
  ).filter((r) => r.status === 'open' || r.status === 'accepted');
  return computeNodeHints({
    nowMs,
    nodes,
    alerts,
    recommendations: live,
    utilizationWindowMs: source.windowMs,
    staleAfterMs: source.staleAfterMs,
  });
}

export function createNodeHintsJob(
  source: NodeHintsSource,
  deps: { readonly now: () => number; readonly logger: Logger },
): { readonly name: string; run(): Promise<{ nodes: number; anomalies: number; recommendations: number }> } {
  const reads: NodeHintReads = {
    executor: source.executor,
    database: source.database,
    prices: createPriceLookup(source.catalog),
    ...(source.cost === undefined ? {} : { cost: source.cost }),
    windowMs: source.windowMs ?? 10 * 60_000,
    staleAfterMs: 3 * source.intervalMs,
  };
  let topicReady = false;
  return {
    name: NODE_HINTS_JOB,
    async run() {
      if (!topicReady) {
        await source.bus.ensureTopics([Topics.nodeHints], { compacted: true });
        topicReady = true;
      }
      const hints = await readNodeHints(reads, Math.floor(deps.now()), source.alerts?.firing() ?? []);
      await source.bus.send(
        Topics.nodeHints,
        hints.map((h) => ({ key: nodeHintKey(h.cluster, h.node), value: JSON.stringify(h) })),
      );
      return {
        nodes: hints.length,
        anomalies: hints.reduce((s, h) => s + h.activeAnomalies.length, 0),
        recommendations: hints.reduce((s, h) => s + h.pendingRecommendations.length, 0),
      };
    },
  };
}
