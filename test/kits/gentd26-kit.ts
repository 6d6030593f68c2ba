/**
 * Real per-pod GPU series from shared/traces/gentd26 (Alibaba GenAI serving, 2026) for the
 * recommender's tests (not used by production code): a pod's utilization and memory read once a
 * minute from the trace start (the series is a step function between its 57 s samples), and the
 * usage summary the store computes from such minutes (usage-profile-store.ts), computed here the same
 * way: quantileExact over minutes of the busiest device, p95 of the summed demand, memory peaks.
 */
import { join } from 'node:path';
import { at, gentd26Series } from '../../sim/gentd26-trace.js';
import { quantileExact } from '../../scheduler/recommender/quantile.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import { DEFAULT_RECOMMENDER_CONFIG, type RecommenderConfig } from '../../scheduler/recommender/recommender-config.ts';
import type { RecommenderInput, UsageSummary, WorkloadObservation } from '../../scheduler/recommender/types.ts';
import { SHARED_DIR } from '../helpers/fixtures.ts';

export const GENTD26_DIR = join(SHARED_DIR, 'traces/gentd26');
export const GIB = 2 ** 30;

/** The trace's pods by the first 8 hex digits of their key (container_ip MD5), as listed in order. */
export const GENTD26 = {
  /** 22 h, p95 26.4%, memory peak 36.2 GiB: the typical bursty serving pod. */
  typical: 0,
  /** 22 h, p95 ~92%: a busy pod. */
  busyA: 9,
  busyB: 10,
  /** 22 h, max 7.6%, p99 0: allocated but idle. */
  idle: 43,
  /** 22 h, p95 25.9%, memory peak 32.0 GiB. */
  moderate: 15,
} as const;

export interface Minute {
  readonly utilizationPct: number;
  readonly memoryBytes: number;
}

/** `minutes` one-minute readings of trace pod `index` from the trace start (+ offset), memory capped at `capBytes`. */
export function podMinutes(index: number, minutes: number, capBytes = Infinity, offsetS = 0): Minute[] {
  const trace = gentd26Series(GENTD26_DIR);
  const pod = trace.pods[index];
  if (pod === undefined) throw new Error(`gentd26 has no pod ${index}`);
  return Array.from({ length: minutes }, (_, i) => {
    const t = trace.start + offsetS + i * 60;
    return {
      utilizationPct: Math.min(100, Math.max(0, at(pod.util, t) ?? 0)),
      memoryBytes: Math.min(capBytes, at(pod.mem, t) ?? 0),
    };
  });
}

/** What the store's pod-usage read returns for a pod whose devices show these per-minute series. */
export function usageOf(devices: readonly (readonly Minute[])[]): UsageSummary {
  const n = Math.min(...devices.map((d) => d.length));
  const minutes = Array.from({ length: n }, (_, i) => devices.map((d) => d[i]!));
  const busiest = minutes.map((m) => Math.max(...m.map((x) => x.utilizationPct)));
  const demand = minutes.map((m) => m.reduce((s, x) => s + x.utilizationPct, 0) / 100);
  return {
    minutes: n,
    utilizationP50Pct: quantileExact(busiest, 0.5),
    utilizationP95Pct: quantileExact(busiest, 0.95),
    utilizationP99Pct: quantileExact(busiest, 0.99),
    utilizationMaxPct: Math.max(...busiest),
    demandP95Gpus: quantileExact(demand, 0.95),
    memoryPeakBytes: Math.max(...minutes.flatMap((m) => m.map((x) => x.memoryBytes))),
    memoryPeakSumBytes: Math.max(...minutes.map((m) => m.reduce((s, x) => s + x.memoryBytes, 0))),
    devicesUsed: devices.length,
  };
}

/** A workload running for `hours` on one node, its GPU-hours = share × hours, with `usage`. */
export function observation(o: Partial<WorkloadObservation> & Pick<WorkloadObservation, 'usage'>): WorkloadObservation {
  const hours = o.observedHours ?? 8;
  const request = o.gpuRequest ?? { kind: 'whole', count: 1 };
  const gpus = request.kind === 'whole' ? request.count : request.kind === 'fraction' ? request.milli / 1000 : 1;
  return {
    cluster: 'prod',
    namespace: 'genai',
    workload: 'sd-serving',
    tenant: 'acme',
    pod: 'sd-serving-6d8f7c9b5-x2kqp',
    node: 'a800-0',
    podUids: ['uid-1'],
    gpuRequest: request,
    gpuModel: 'A100-80GB',
    reportedModel: 'NVIDIA A800-SXM4-80GB',
    pricingTier: 'on-demand',
    pool: null,
    instanceType: null,
    priceUsdPerGpuHour: 5.12071875,
    gpuMemoryBytes: 81920 * 2 ** 20,
    observedHours: hours,
    allocatedGpuHours: gpus * hours,
    running: true,
    ...o,
  };
}

/** The recommender input around some workloads and nodes, priced by the project's default catalog. */
export function recommenderInput(
  workloads: readonly WorkloadObservation[],
  nodes: RecommenderInput['nodes'] = [],
  config: Partial<RecommenderConfig> = {},
): RecommenderInput {
  const catalog = loadPriceCatalog();
  return {
    nowMs: Date.UTC(2026, 10, 2, 18),
    workloads,
    nodes,
    prices: createPriceLookup(catalog),
    models: catalog.models,
    config: { ...DEFAULT_RECOMMENDER_CONFIG, ...config },
  };
}
