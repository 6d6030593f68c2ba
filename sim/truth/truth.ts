/**
 * The simulator's independent truth of a window (pure arithmetic; imports nothing from pipeline/cost):
 * what every pod held and used, what it cost, what it wasted, per tenant, and the fleet's idle by kind.
 *
 * - GPUs held by request kind: whole k GPUs → k (k > 1 is "multi"); a milli request → milli / 1000 of
 *   one GPU; a MIG profile `<g>g.<mem>gb` → g / 7 of its parent (the 7 compute slices of an A100/H100),
 *   or g / 4 on an A30.
 * - Cost: held GPUs × the catalog's on-demand price in force at each instant × the time the pod ran
 *   inside the window and inside its node's life (price changes cut the time exactly).
 * - Used GPU-hours: given per pod by the caller (the integral of the utilization series the fake
 *   nvidia-smi replays for it, already in GPUs: a pod on half a GPU at 80% uses 0.4).
 * - Waste (allocated-but-unused): per pod and hour window, cost × (1 − used / held), never below 0.
 * - Unallocated idle: every node's GPUs × price × its life in the window, less what the pods hold.
 */
import type { TruthPrices } from './catalog-prices.ts';

const HOUR = 3_600_000;

export type TruthRequest =
  | { readonly kind: 'whole'; readonly count: number }
  | { readonly kind: 'milli'; readonly milli: number }
  | { readonly kind: 'mig'; readonly profile: string };

export interface TruthNode {
  readonly name: string;
  readonly productName: string;
  readonly gpus: number;
  /** The node's life: it costs from fromMs (it joined) until toMs (it left). */
  readonly fromMs: number;
  readonly toMs: number;
}

export interface TruthPod {
  readonly uid: string;
  readonly tenant: string;
  readonly node: string;
  readonly request: TruthRequest;
  readonly startMs: number;
  readonly endMs: number;
  /** GPU-seconds the pod really used in [fromMs, toMs). */
  readonly usedGpuSeconds: (fromMs: number, toMs: number) => number;
}

export type RequestKind = 'whole' | 'multi' | 'milli' | 'mig';

export interface PodTruth {
  readonly uid: string;
  readonly tenant: string;
  readonly kind: RequestKind;
  readonly gpuHours: number;
  readonly usd: number;
  readonly usedGpuHours: number;
  readonly wasteUsd: number;
}

export interface TenantTruth {
  usd: number;
  wasteUsd: number;
  gpuHours: number;
  usedGpuHours: number;
}

export interface WindowTruth {
  readonly fleetUsd: number;
  readonly workloadUsd: number;
  /** Idle of the first kind: GPU time no pod held. */
  readonly unallocatedUsd: number;
  /** Idle of the second kind: held but not used (Σ waste). */
  readonly allocatedUnusedUsd: number;
  readonly usedGpuHours: number;
  readonly pods: readonly PodTruth[];
  readonly tenants: ReadonlyMap<string, TenantTruth>;
  readonly gpuHoursByKind: ReadonlyMap<RequestKind, number>;
}

/** GPUs one request holds on a GPU of `productName`. */
export const heldGpus = (request: TruthRequest, productName: string): number => {
  if (request.kind === 'whole') return request.count;
  if (request.kind === 'milli') return request.milli / 1000;
  const m = /^(\d+)g\.\d+gb$/.exec(request.profile);
  if (!m) throw new Error(`not a MIG GPU-instance profile: '${request.profile}'`);
  return Number(m[1]) / (/A30/i.test(productName) ? 4 : 7);
};

const kindOf = (r: TruthRequest): RequestKind => (r.kind === 'whole' ? (r.count > 1 ? 'multi' : 'whole') : r.kind);

/** ∫ price dt in USD per GPU over [fromMs, toMs), cut at every price change. */
const usdPerGpu = (prices: TruthPrices, productName: string, fromMs: number, toMs: number): number => {
  if (toMs <= fromMs) return 0;
  const cuts = [fromMs, ...prices.changesIn(productName, fromMs, toMs), toMs];
  let usd = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [a, b] = [cuts[i] as number, cuts[i + 1] as number];
    usd += (prices.usdPerGpuHourAt(productName, a) * (b - a)) / HOUR;
  }
  return usd;
};

export function computeTruth(
  window: { readonly fromMs: number; readonly toMs: number },
  nodes: readonly TruthNode[],
  pods: readonly TruthPod[],
  prices: TruthPrices,
): WindowTruth {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const clip = (a: number, b: number, n: TruthNode) =>
    [Math.max(a, window.fromMs, n.fromMs), Math.min(b, window.toMs, n.toMs)] as const;
  let fleetUsd = 0;
  for (const n of nodes) fleetUsd += n.gpus * usdPerGpu(prices, n.productName, ...clip(-Infinity, Infinity, n));

  const podTruths: PodTruth[] = [];
  const tenants = new Map<string, TenantTruth>();
  const gpuHoursByKind = new Map<RequestKind, number>();
  for (const p of pods) {
    const node = byName.get(p.node);
    if (!node) throw new Error(`pod ${p.uid}: unknown node '${p.node}'`);
    const held = heldGpus(p.request, node.productName);
    const [from, to] = clip(p.startMs, p.endMs, node);
    let [gpuHours, usd, usedGpuHours, wasteUsd] = [0, 0, 0, 0];
    // Hour by hour (the ledger's windows): waste is what each hour's holding did not use.
    for (let h = Math.floor(from / HOUR) * HOUR; h < to; h += HOUR) {
      const [a, b] = [Math.max(from, h), Math.min(to, h + HOUR)];
      if (b <= a) continue;
      const hours = (held * (b - a)) / HOUR;
      const cost = held * usdPerGpu(prices, node.productName, a, b);
      const used = p.usedGpuSeconds(a, b) / 3600;
      gpuHours += hours;
      usd += cost;
      usedGpuHours += used;
      wasteUsd += hours > 0 ? cost * Math.max(0, 1 - used / hours) : 0;
    }
    const kind = kindOf(p.request);
    podTruths.push({ uid: p.uid, tenant: p.tenant, kind, gpuHours, usd, usedGpuHours, wasteUsd });
    gpuHoursByKind.set(kind, (gpuHoursByKind.get(kind) ?? 0) + gpuHours);
    const t = tenants.get(p.tenant) ?? { usd: 0, wasteUsd: 0, gpuHours: 0, usedGpuHours: 0 };
    t.usd += usd;
    t.wasteUsd += wasteUsd;
    t.gpuHours += gpuHours;
    t.usedGpuHours += usedGpuHours;
    tenants.set(p.tenant, t);
  }
  const sum = (f: (p: PodTruth) => number) => podTruths.reduce((s, p) => s + f(p), 0);
  const workloadUsd = sum((p) => p.usd);
  return {
    fleetUsd,
    workloadUsd,
    unallocatedUsd: fleetUsd - workloadUsd,
    allocatedUnusedUsd: sum((p) => p.wasteUsd),
    usedGpuHours: sum((p) => p.usedGpuHours),
    pods: podTruths,
    tenants,
    gpuHoursByKind,
  };
}
