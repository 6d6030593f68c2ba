/**
 * Ledger groups → OpenCost allocation sets (pure). Per step: workload groups become allocations
 * named by their aggregate values joined with '/' (OpenCost's naming); idle groups are dropped, kept
 * as `__idle__` (includeIdle) or `<node>/__idle__` (idleByNode), or shared out (shareIdle) over the
 * step's allocations in proportion to their GPU cost — per node with idleByNode, as OpenCost. Idle
 * that has no allocation to go to stays an idle allocation. accumulate folds the steps into one.
 */
import { IDLE_BUCKET } from '../../contracts/cost-ledger-row.ts';
import type { AllocationGroup } from '../../pipeline/store/allocation-store.ts';
import type { CostGroupKey } from '../../pipeline/store/cost-ledger-sql.ts';
import type { Allocation } from './allocation-schema.ts';
import { stepCount, stepWindow, type HourRange } from './opencost-window.ts';

export interface AllocationOptions {
  readonly range: HourRange;
  readonly stepMs: number;
  readonly by: readonly CostGroupKey[];
  readonly includeIdle: boolean;
  readonly shareIdle: boolean;
  readonly idleByNode: boolean;
  readonly accumulate: boolean;
}

/** Per-pod details (aggregate by pod) and per-name token figures (aggregate by model). */
export interface AllocationExtras {
  readonly pods: ReadonlyMap<string, { readonly migProfile: string | null; readonly controllerKind: string }>;
  readonly tokens: ReadonlyMap<
    string,
    { readonly prompt: number; readonly generation: number; readonly costUsd: number; readonly costKnown: boolean }
  >;
}

interface Acc {
  name: string;
  keys: readonly string[] | null;
  idle: boolean;
  costUsd: number;
  wasteUsd: number;
  idleUsd: number;
  allocS: number;
  usedS: number;
  startMs: number;
  endMs: number;
  pods: number;
  podUid: string;
  gpuModels: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

const accOf = (name: string, g: AllocationGroup, idle: boolean): Acc => ({
  name,
  keys: idle ? null : g.keys,
  idle,
  costUsd: 0,
  wasteUsd: 0,
  idleUsd: 0,
  allocS: 0,
  usedS: 0,
  startMs: g.startMs,
  endMs: g.endMs,
  pods: 0,
  podUid: g.podUid,
  gpuModels: new Set(),
});

/** Adds sums and widens the span; pods: `sum` for a step's groups, `max` across steps (the same pods). */
const merge = (
  acc: Acc,
  o: Pick<Acc, 'costUsd' | 'wasteUsd' | 'idleUsd' | 'allocS' | 'usedS' | 'startMs' | 'endMs' | 'pods'>,
  models: Iterable<string>,
  pods: 'sum' | 'max',
): void => {
  acc.costUsd += o.costUsd;
  acc.wasteUsd += o.wasteUsd;
  acc.idleUsd += o.idleUsd;
  acc.allocS += o.allocS;
  acc.usedS += o.usedS;
  acc.startMs = Math.min(acc.startMs, o.startMs);
  acc.endMs = Math.max(acc.endMs, o.endMs);
  acc.pods = pods === 'sum' ? acc.pods + o.pods : Math.max(acc.pods, o.pods);
  for (const m of models) acc.gpuModels.add(m);
};

const add = (acc: Acc, g: AllocationGroup): void =>
  merge(
    acc,
    {
      costUsd: g.costUsd,
      wasteUsd: g.wasteUsd,
      idleUsd: 0,
      allocS: g.allocatedGpuSeconds,
      usedS: g.usedGpuSeconds,
      startMs: g.startMs,
      endMs: g.endMs,
      pods: g.bucket === 'idle' ? 0 : g.pods,
    },
    g.gpuModels,
    'sum',
  );

const nameOf = (keys: readonly string[]) => (keys.length === 0 ? '__all__' : keys.join('/'));

/** One step's allocations from its groups. */
const buildSet = (groups: readonly AllocationGroup[], o: AllocationOptions): Acc[] => {
  const out = new Map<string, Acc>();
  const get = (name: string, g: AllocationGroup, idle: boolean) => {
    const acc = out.get(name) ?? accOf(name, g, idle);
    out.set(name, acc);
    return acc;
  };
  const workloads = groups.filter((g) => g.bucket === 'workload');
  for (const g of workloads) add(get(nameOf(g.keys), g, false), g);
  for (const idle of groups.filter((g) => g.bucket === 'idle')) {
    const pool = o.idleByNode ? idle.node : '';
    const receivers = workloads.filter((w) => (o.idleByNode ? w.node === pool : true) && w.costUsd > 0);
    const base = receivers.reduce((s, w) => s + w.costUsd, 0);
    if (o.shareIdle && base > 0) {
      for (const w of receivers) {
        const acc = get(nameOf(w.keys), w, false);
        const share = (idle.costUsd * w.costUsd) / base;
        acc.idleUsd += share;
        acc.costUsd += share;
      }
    } else if (o.includeIdle || o.shareIdle) {
      const acc = get(o.idleByNode ? `${idle.node}/${IDLE_BUCKET}` : IDLE_BUCKET, idle, true);
      add(acc, idle);
      acc.idleUsd += idle.costUsd;
    }
  }
  return [...out.values()].sort((a, b) => b.costUsd - a.costUsd || a.name.localeCompare(b.name));
};

const toAllocation = (acc: Acc, window: HourRange, o: AllocationOptions, extras: AllocationExtras): Allocation => {
  const keyed = (key: CostGroupKey): string | undefined => {
    const i = o.by.indexOf(key);
    return i < 0 || acc.keys === null ? undefined : acc.keys[i];
  };
  const labels = Object.fromEntries(
    o.by.flatMap((k, i) => (k.startsWith('label:') && acc.keys ? [[k.slice(6), acc.keys[i] ?? '']] : [])),
  );
  const pod = keyed('pod');
  const podDetails = pod === undefined ? undefined : extras.pods.get(acc.podUid);
  const properties = Object.fromEntries(
    Object.entries({
      cluster: keyed('cluster'),
      node: keyed('node') ?? (acc.idle && o.idleByNode ? acc.name.split('/')[0] : undefined),
      namespace: keyed('namespace') ?? (pod === undefined ? undefined : pod.split('/')[0]),
      pod: pod === undefined ? undefined : pod.slice(pod.indexOf('/') + 1),
      controller: keyed('workload'),
      controllerKind: podDetails?.controllerKind || undefined,
      labels: Object.keys(labels).length > 0 ? labels : undefined,
    }).filter(([, v]) => v !== undefined),
  );
  const tokens = extras.tokens.get(acc.name);
  const gpuHours = acc.allocS / 3600;
  const minutes = (acc.endMs - acc.startMs) / 60_000;
  const efficiency = acc.idle || acc.allocS === 0 ? 0 : acc.usedS / acc.allocS;
  const zero = 0;
  return {
    name: acc.name,
    properties,
    window: { start: iso(window.fromMs), end: iso(window.toMs) },
    start: iso(acc.startMs),
    end: iso(acc.endMs),
    minutes,
    cpuCores: zero,
    cpuCoreRequestAverage: zero,
    cpuCoreUsageAverage: zero,
    cpuCoreHours: zero,
    cpuCost: zero,
    cpuCostAdjustment: zero,
    cpuEfficiency: zero,
    gpuCount: minutes > 0 ? gpuHours / (minutes / 60) : 0,
    gpuHours,
    gpuCost: acc.costUsd,
    gpuCostAdjustment: zero,
    gpuEfficiency: efficiency,
    networkTransferBytes: zero,
    networkReceiveBytes: zero,
    networkCost: zero,
    networkCostAdjustment: zero,
    loadBalancerCost: zero,
    loadBalancerCostAdjustment: zero,
    pvBytes: zero,
    pvByteHours: zero,
    pvCost: zero,
    pvs: null,
    pvCostAdjustment: zero,
    ramBytes: zero,
    ramByteRequestAverage: zero,
    ramByteUsageAverage: zero,
    ramByteHours: zero,
    ramCost: zero,
    ramCostAdjustment: zero,
    ramEfficiency: zero,
    externalCost: zero,
    sharedCost: zero,
    totalCost: acc.costUsd,
    // OpenCost weighs CPU and RAM efficiency by cost; GPUs are all the ledger prices.
    totalEfficiency: efficiency,
    rawAllocationOnly: null,
    gpuUsedHours: acc.usedS / 3600,
    gpuWasteCost: acc.wasteUsd,
    idleCost: acc.idleUsd,
    tenant: keyed('tenant') ?? null,
    team: keyed('team') ?? null,
    model: keyed('model') ?? null,
    gpuModels: [...acc.gpuModels].sort(),
    migProfile: podDetails?.migProfile ?? null,
    pods: acc.pods,
    tokens: tokens ? { prompt: tokens.prompt, generation: tokens.generation } : null,
    usdPerMillionTokens:
      tokens && tokens.costKnown
        ? {
            prompt: tokens.prompt > 0 ? (tokens.costUsd / tokens.prompt) * 1e6 : null,
            generation: tokens.generation > 0 ? (tokens.costUsd / tokens.generation) * 1e6 : null,
          }
        : null,
  };
};

/** The allocation sets, oldest first (OpenCost's order). */
export const toAllocationSets = (
  groups: readonly AllocationGroup[],
  o: AllocationOptions,
  extras: AllocationExtras,
): Record<string, Allocation>[] => {
  const steps = o.accumulate ? 1 : stepCount(o.range, o.stepMs);
  const byStep = Array.from({ length: steps }, () => [] as AllocationGroup[]);
  for (const g of groups) byStep[o.accumulate ? 0 : g.step]?.push(g);
  // With accumulate, each step is shared out on its own, then the steps fold into one set.
  const sets = byStep.map((gs, i) => {
    const window = o.accumulate ? o.range : stepWindow(o.range, o.stepMs, i);
    const perStep = o.accumulate
      ? foldSteps(
          [...new Set(gs.map((g) => g.step))].map((s) =>
            buildSet(
              gs.filter((g) => g.step === s),
              o,
            ),
          ),
        )
      : buildSet(gs, o);
    return Object.fromEntries(perStep.map((acc) => [acc.name, toAllocation(acc, window, o, extras)]));
  });
  return sets.reverse();
};

const foldSteps = (steps: readonly Acc[][]): Acc[] => {
  const out = new Map<string, Acc>();
  for (const acc of steps.flat()) {
    const prev = out.get(acc.name);
    if (!prev) {
      out.set(acc.name, { ...acc, gpuModels: new Set(acc.gpuModels) });
      continue;
    }
    merge(prev, acc, acc.gpuModels, 'max');
  }
  return [...out.values()].sort((a, b) => b.costUsd - a.costUsd || a.name.localeCompare(b.name));
};
