/**
 * The fetch of the rule job: reads what the configured rules need for an evaluation at `atMs`, each
 * input only as far back as the rules that use it look (rule.lookbackMs), and only when a configured
 * rule uses it. SQL lives in pipeline/store (rule-inputs-store.ts, cost-store.ts); the shaping is pure
 * (build-device-inputs.ts).
 */
import { createCostStore } from '../store/cost-store.ts';
import type { SqlExecutor } from '../store/executor.ts';
import { createRuleInputsStore, type BatchRow } from '../store/rule-inputs-store.ts';
import { createBudgetStore } from '../store/budget-store.ts';
import { budgetSpends } from '../budgets/budget-spend.ts';
import { createLedgerInputs } from '../store/ledger-inputs-store.ts';
import { eventsByCluster } from '../cost/compute-window-ledgers.ts';
import { toPodIntervals } from '../cost/pod-intervals.ts';
import { buildDeviceInputs, type DevicePricing } from './build-device-inputs.ts';
import type { CostSpikeParams } from './cost-spike.ts';
import type { AgentBatches, CostSeries, RuleInputs } from './rule-inputs.ts';
import { EMPTY_RULE_INPUTS } from './rule-inputs.ts';
import type { RulesConfig } from './rules-config.ts';
import { AGENT_MEMORY_MS } from './telemetry-gap.ts';

export interface FetchRuleInputsDeps {
  readonly executor: SqlExecutor;
  readonly database: string;
  /** Prices the idle pods and the budgets' open tail; null: no $ on idle alerts, no budget alerts. */
  readonly pricing: DevicePricing | null;
}

const DEVICE_KINDS = new Set(['idle-allocated', 'ecc-remap', 'throttle', 'memory-near-full']);
const HOUR_MS = 3_600_000;

/**
 * The inputs for an evaluation at `atMs`; with `sinceMs`, for every evaluation from `sinceMs` to
 * `atMs` (a replay: each input then reaches back its lookback before `sinceMs`).
 */
export async function fetchRuleInputs(
  deps: FetchRuleInputsDeps,
  config: RulesConfig,
  atMs: number,
  sinceMs = atMs,
): Promise<RuleInputs> {
  const { executor, database } = deps;
  const store = createRuleInputsStore(executor, { database });
  const lookback = (kinds: (kind: string) => boolean): number | null => {
    const of = config.rules.filter((r) => kinds(r.spec.kind));
    return of.length === 0
      ? null
      : atMs - sinceMs + Math.max(...of.map((r) => r.rule.lookbackMs(r.params, r.spec.forMs)));
  };
  const inputs: { -readonly [K in keyof RuleInputs]: RuleInputs[K] } = { ...EMPTY_RULE_INPUTS };

  const deviceBack = lookback((k) => DEVICE_KINDS.has(k));
  if (deviceBack !== null) {
    const range = { fromMs: Math.max(0, atMs - deviceBack), toMs: atMs };
    const needsPods = config.rules.some((r) => r.spec.kind === 'idle-allocated');
    const [samples, processPods, events] = await Promise.all([
      store.samples(range),
      needsPods ? store.processPods(range) : Promise.resolve([]),
      needsPods
        ? createLedgerInputs(executor, { database, maxGapMs: 0, processSkewMs: 0, bridgeMs: 0 }).podEvents(range)
        : Promise.resolve([]),
    ]);
    const pods = new Map(
      [...eventsByCluster(events)].map(([cluster, list]) => [
        cluster,
        toPodIntervals(list, { windowStartMs: range.fromMs, windowEndMs: range.toMs + 1 }),
      ]),
    );
    Object.assign(inputs, buildDeviceInputs(samples, processPods, pods, deps.pricing));
  }

  const xidBack = lookback((k) => k === 'xid');
  if (xidBack !== null)
    inputs.xids = (await store.xids({ fromMs: Math.max(0, atMs - xidBack), toMs: atMs })).map((x) => ({ ...x }));

  const gapBack = lookback((k) => k === 'telemetry-gap');
  if (gapBack !== null) inputs.agents = await agentInputs(store, atMs, gapBack);

  const spikes = config.rules.filter((r) => r.spec.kind === 'cost-spike');
  if (spikes.length > 0) {
    const back = atMs - sinceMs + Math.max(...spikes.map((r) => r.rule.lookbackMs(r.params, r.spec.forMs)));
    const range = { fromMs: Math.floor((atMs - back) / HOUR_MS) * HOUR_MS, toMs: Math.floor(atMs / HOUR_MS) * HOUR_MS };
    const by = [...new Set(spikes.flatMap((r) => (r.params as CostSpikeParams).by))];
    if (range.toMs > range.fromMs) {
      const costStore = createCostStore(executor, { database });
      const windows = [...new Set((await costStore.windows(range)).map((w) => w.windowStartMs))].sort((a, b) => a - b);
      const series: CostSeries[] = [];
      for (const dim of by) {
        const byValue = new Map<string, Map<number, number>>();
        for (const c of await costStore.windowCosts(range, dim)) {
          const m = byValue.get(c.value) ?? new Map<number, number>();
          m.set(c.windowStartMs, (m.get(c.windowStartMs) ?? 0) + c.costUsd);
          byValue.set(c.value, m);
        }
        for (const [value, costByWindow] of byValue) series.push({ by: dim, value, costByWindow });
      }
      inputs.costs = { windowMs: HOUR_MS, windows, series };
    }
  }

  if (deps.pricing !== null && config.rules.some((r) => r.spec.kind === 'budget-burn')) {
    const budgets = await createBudgetStore(executor, { database }).list();
    inputs.budgets = await budgetSpends({ executor, database, ...deps.pricing }, budgets, atMs);
  }
  return inputs;
}

async function agentInputs(
  store: ReturnType<typeof createRuleInputsStore>,
  atMs: number,
  gapWindowMs: number,
): Promise<AgentBatches[]> {
  const [recent, boots] = await Promise.all([
    store.batches({ fromMs: Math.max(0, atMs - gapWindowMs), toMs: atMs }),
    store.bootsLastSeen({ fromMs: Math.max(0, atMs - AGENT_MEMORY_MS), toMs: atMs }),
  ]);
  const byBoot = new Map<string, BatchRow[]>();
  for (const b of recent) {
    const k = `${b.agentId}\n${b.bootId}`;
    const list = byBoot.get(k);
    if (list) list.push(b);
    else byBoot.set(k, [b]);
  }
  return boots.map((boot) => ({
    cluster: boot.cluster,
    node: boot.node,
    agentId: boot.agentId,
    bootId: boot.bootId,
    batches: (byBoot.get(`${boot.agentId}\n${boot.bootId}`) ?? []).map((b) => ({
      seq: b.seq,
      collectedAtMs: b.collectedAtMs,
    })),
    lastSeenMs: boot.lastSeenMs,
  }));
}
