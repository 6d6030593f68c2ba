/**
 * The job's side of realisation: which live recommendations' shapes appeared, and what the ledger
 * measured before and after (realisation.ts holds the rules; this fetches the ledger ranges).
 * Before = [since − lookback, since), after = [shape appeared, end of the priced range), both cut to
 * whole ledger hours; the cost per observed hour of the workload's pods (of the node, for
 * consolidation; an idle workload or a removed node costs 0 after).
 */
import type { Recommendation } from '../../contracts/recommendation.ts';
import type { StatusChange } from '../../pipeline/store/recommendation-store.ts';
import type { FleetReads, TimeRange } from './fleet-reads.ts';
import { nodeKey } from './fleet-reads.ts';
import { realisedMonthlySavingUsd, shapeAppearedAt, type CostRate, type ShapeContext } from './realisation.ts';
import type { Realisation } from './reconcile.ts';
import { unionMs, type ClusterPodInterval } from './workloads.ts';
import { workloadName } from './workload-key.ts';

const HOUR_MS = 3_600_000;
const floorH = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const ceilH = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS;

export interface MeasureInput {
  readonly recs: readonly Recommendation[];
  readonly history: readonly StatusChange[];
  /** Every pod interval since the oldest recommendation measured (clipped to [that, now)). */
  readonly pods: readonly ClusterPodInterval[];
  readonly priced: TimeRange;
  readonly lookbackMs: number;
  /** How long after realisation its $ keeps being measured again. */
  readonly measureForMs: number;
  readonly context: Omit<ShapeContext, 'pods'>;
}

const podsOf = (r: Recommendation, pods: readonly ClusterPodInterval[]) =>
  pods.filter(
    (p) =>
      p.cluster === r.target.cluster &&
      p.namespace === r.target.namespace &&
      workloadName(p.pod, p.owner, p.labels) === r.target.workload,
  );

/** The workload's ledger cost over the range's computed windows, per hour one of its pods held GPUs there. */
async function workloadRate(
  reads: FleetReads,
  pods: readonly ClusterPodInterval[],
  asked: TimeRange,
): Promise<CostRate> {
  const range = await reads.ledgerSpan(asked);
  if (range === null) return { costUsd: 0, hours: 0 };
  const uids = new Set(pods.map((p) => p.podUid));
  const costs = (await reads.podCosts(range)).filter((c) => uids.has(c.podUid));
  const spans = pods.map((p) => [Math.max(p.startMs, range.fromMs), Math.min(p.endMs, range.toMs)] as const);
  return {
    costUsd: costs.reduce((s, c) => s + c.costUsd, 0),
    hours: unionMs(spans.filter(([a, b]) => b > a)) / HOUR_MS,
  };
}

/** The node's ledger cost (all buckets) over the range's computed windows, per hour priced. */
async function nodeRate(reads: FleetReads, r: Recommendation, asked: TimeRange, gpus: number): Promise<CostRate> {
  const range = await reads.ledgerSpan(asked);
  if (range === null) return { costUsd: 0, hours: 0 };
  const n = (await reads.nodeLedger(range)).get(nodeKey(r.target.cluster, r.target.node ?? ''));
  return { costUsd: n?.costUsd ?? 0, hours: gpus > 0 ? (n?.gpuSeconds ?? 0) / gpus / 3600 : 0 };
}

/** Realisations detected or measured again in this run, by recommendation id. */
export async function measureRealisations(reads: FleetReads, input: MeasureInput): Promise<Map<string, Realisation>> {
  const out = new Map<string, Realisation>();
  const firstRealised = new Map<string, number>();
  for (const s of input.history)
    if (s.status === 'realised' && !firstRealised.has(s.id)) firstRealised.set(s.id, s.atMs);
  for (const r of input.recs) {
    const realisedAt = firstRealised.get(r.id);
    if (r.status === 'realised' && (realisedAt === undefined || input.context.nowMs - realisedAt > input.measureForMs))
      continue;
    if (r.status !== 'realised' && r.status !== 'open' && r.status !== 'accepted') continue;
    const pods = podsOf(r, input.pods);
    const appearedAt = realisedAt ?? shapeAppearedAt(r, { ...input.context, pods });
    if (appearedAt === null) continue;
    const since = r.acceptedAtMs ?? r.createdAtMs;
    const before = { fromMs: floorH(since - input.lookbackMs), toMs: floorH(since) };
    const after = { fromMs: ceilH(appearedAt), toMs: input.priced.toMs };
    const gpus = r.current.gpuRequest.kind === 'whole' ? r.current.gpuRequest.count : 0;
    const beforeRate =
      r.kind === 'consolidate' ? await nodeRate(reads, r, before, gpus) : await workloadRate(reads, pods, before);
    const gone = r.kind === 'idle-reclaim' || r.kind === 'consolidate';
    const afterRate = gone
      ? 'gone'
      : after.toMs > after.fromMs
        ? await workloadRate(
            reads,
            pods.filter((p) => p.startMs >= appearedAt),
            after,
          )
        : { costUsd: 0, hours: 0 };
    out.set(r.id, { atMs: appearedAt, realisedMonthlySavingUsd: realisedMonthlySavingUsd(beforeRate, afterRate) });
  }
  return out;
}
