/**
 * Test fleet for the recommender's end-to-end suite (not used by production code): three nodes whose
 * GPUs are real captures (shared/fixtures/telemetry), sampled once a minute for 11 h from T0, the
 * busy GPUs replaying real gentd26 pod series (utilization and memory), and pods with exact lifecycles.
 *
 *   a800-0   8 × A800-SXM4-80GB (catalog A100-80GB, $5.12071875), GPU 0 in MIG mode (3 × 2g.20gb)
 *            ml/train       4 whole GPUs (1–4), processes on GPUs 1 and 2 only (gentd26 busy pods);
 *                           at 8h30 replaced by a 2-GPU pod of the same Deployment (new ReplicaSet)
 *            genai/sd-idle  1 whole GPU (5), the gentd26 pod that is never busy; deleted at 8h30
 *            genai/sd-serving 1 whole GPU (6), the typical bursty gentd26 pod
 *            genai/mig-embed  a 2g.20gb slice of GPU 0 (the capture's MIG instances, all 0% busy)
 *   v100-a   3 × Tesla V100-SXM2-32GB (dcgm-exporter #250; V100-32GB, $3.9015)
 *            ml/infer-v100  1 whole GPU, a moderate gentd26 pod
 *   v100-b   1 × Tesla V100-SXM3-32GB (microsoft/pai XML)
 *            batch/batch-b  500 milli, the typical gentd26 pod capped at the GPU's 32480 MiB
 */
import { parseDcgmMetrics } from '../../collectors/dcgm/parse-dcgm.ts';
import { parseNvidiaSmiXml } from '../../collectors/nvidia-smi/parse-xml.ts';
import type { GpuProcess, GpuSample, GpuSampleBatch, PodEvent } from '../../contracts/index.ts';
import { toGpuProcessRows, toGpuSampleRows, toPodEventRow } from '../../pipeline/ingest/to-rows.ts';
import { packGpuSampleBatch } from '../../pipeline/ingest/packed-gpu-batch.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { recomputeMinutes } from '../../pipeline/store/rollup-store.ts';
import { createTelemetryStore, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { createRecommenderJob } from '../../scheduler/recommender/recommender-job.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { testLogger } from '../helpers/services.ts';
import { GENTD26, podMinutes, type Minute } from './gentd26-kit.ts';

/** 2026-11-02T00:00:00Z; samples at T0 + i minutes, i = 0..659 (11 h). */
export const T0 = Date.UTC(2026, 10, 2);
export const HOUR_MS = 3_600_000;
const MIN = 60_000;
const MINUTES = 11 * 60;
const MIB = 2 ** 20;
export const CHANGE_AT = T0 + 8 * HOUR_MS + 30 * MIN;

export const FLEET_COST_CONFIG_YAML = `
tenancy:
  namespaceTenants: { genai: acme, ml: globex, batch: globex }
`;

const A800 = parseDcgmMetrics(readFixture('dcgm', 'johnsblog-8xA800-mig-2g.20gb-535.129.03.prom'), T0).samples;
// The excerpt's GPUs with a utilization or power reading (GPU 1 is only in its PCIe replay counter's series).
const V100 = parseDcgmMetrics(readFixture('dcgm', 'issue-dcgm-exporter-250-4xV100-SXM2.prom'), T0).samples.filter(
  (s) => s.utilizationPct !== null || s.powerLimitWatts !== null,
);
const V100_SXM3 = parseNvidiaSmiXml(
  readFixture('nvidia-smi-xml', 'openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml'),
  T0,
).samples;
const a800Gpus = A800.filter((s) => s.kind === 'gpu');
if (a800Gpus.length !== 8 || A800.length !== 11 || V100.length !== 3 || V100_SXM3.length !== 1)
  throw new Error('fixture GPU counts changed');
export const GPU = {
  a800: a800Gpus.map((s) => s.gpuUuid),
  v100: V100.map((s) => s.gpuUuid),
  v100b: V100_SXM3[0]!.gpuUuid,
};

interface FleetPod {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly request: PodEvent['gpuRequest'];
  readonly owner: PodEvent['owner'];
  readonly labels: Record<string, string>;
  readonly startMs: number;
  readonly endMs: number | null;
  /** Devices the pod events name (pod-resources), and the GPUs its processes run on with their series. */
  readonly assigned: readonly string[];
  readonly series: readonly { readonly gpu: string; readonly minutes: readonly Minute[] }[];
}

const rs = (deployment: string, hash: string) => ({
  owner: { kind: 'ReplicaSet', name: `${deployment}-${hash}` },
  labels: { 'pod-template-hash': hash },
});
const START = T0 - HOUR_MS;
const V100_BYTES = 32480 * MIB;
const series = (index: number, cap = Infinity) => podMinutes(index, MINUTES, cap);
const busyA = series(GENTD26.busyA);
const busyB = series(GENTD26.busyB);

const TRAIN_4G: FleetPod = {
  uid: 'pod-train-4g',
  namespace: 'ml',
  name: 'train-7f8b9-q2x7z',
  node: 'a800-0',
  request: { kind: 'whole', count: 4 },
  ...rs('train', '7f8b9'),
  startMs: START,
  endMs: CHANGE_AT,
  assigned: GPU.a800.slice(1, 5),
  series: [
    { gpu: GPU.a800[1]!, minutes: busyA },
    { gpu: GPU.a800[2]!, minutes: busyB },
  ],
};

export const FLEET_PODS: readonly FleetPod[] = [
  TRAIN_4G,
  // The same Deployment after the change: a new ReplicaSet whose pod asks for 2 GPUs, doing the same work.
  {
    ...TRAIN_4G,
    uid: 'pod-train-2g',
    name: 'train-6c9d8-m4k2p',
    request: { kind: 'whole', count: 2 },
    ...rs('train', '6c9d8'),
    startMs: CHANGE_AT + MIN,
    endMs: null,
    assigned: GPU.a800.slice(1, 3),
  },
  {
    uid: 'pod-sd-idle',
    namespace: 'genai',
    name: 'sd-idle-5d7c9-w8r3t',
    node: 'a800-0',
    request: { kind: 'whole', count: 1 },
    ...rs('sd-idle', '5d7c9'),
    startMs: START,
    endMs: CHANGE_AT,
    assigned: [],
    series: [{ gpu: GPU.a800[5]!, minutes: series(GENTD26.idle) }],
  },
  {
    uid: 'pod-sd-serving',
    namespace: 'genai',
    name: 'sd-serving-84b6f-h7n2c',
    node: 'a800-0',
    request: { kind: 'whole', count: 1 },
    ...rs('sd-serving', '84b6f'),
    startMs: START,
    endMs: null,
    assigned: [],
    series: [{ gpu: GPU.a800[6]!, minutes: series(GENTD26.typical) }],
  },
  {
    uid: 'pod-mig-embed',
    namespace: 'genai',
    name: 'mig-embed-0',
    node: 'a800-0',
    request: { kind: 'mig', profile: '2g.20gb', count: 1 },
    owner: { kind: 'StatefulSet', name: 'mig-embed' },
    labels: {},
    startMs: START,
    endMs: null,
    assigned: [],
    // nvidia-smi style: the process is reported on the parent GPU; the capture's instances stay 0% busy.
    series: [{ gpu: GPU.a800[0]!, minutes: [] }],
  },
  {
    uid: 'pod-infer-v100',
    namespace: 'ml',
    name: 'infer-v100-7c4d2-b9v5l',
    node: 'v100-a',
    request: { kind: 'whole', count: 1 },
    ...rs('infer-v100', '7c4d2'),
    startMs: START,
    endMs: null,
    assigned: [],
    series: [{ gpu: GPU.v100[0]!, minutes: series(GENTD26.moderate, V100_BYTES) }],
  },
  {
    uid: 'pod-batch-b',
    namespace: 'batch',
    name: 'batch-b-x5z8q',
    node: 'v100-b',
    request: { kind: 'fraction', milli: 500 },
    owner: { kind: 'Job', name: 'batch-b' },
    labels: {},
    startMs: START,
    endMs: null,
    assigned: [],
    series: [{ gpu: GPU.v100b, minutes: series(GENTD26.typical, V100_BYTES) }],
  },
];

const NODES: readonly {
  readonly node: string;
  readonly samples: readonly GpuSample[];
  readonly source: GpuSampleBatch['source'];
}[] = [
  { node: 'a800-0', samples: A800, source: 'dcgm' },
  { node: 'v100-a', samples: V100, source: 'dcgm' },
  { node: 'v100-b', samples: V100_SXM3, source: 'nvidia-smi-xml' },
];

const running = (p: FleetPod, t: number) => p.startMs < t && (p.endMs === null || t <= p.endMs);

export function fleetBatches(): GpuSampleBatch[] {
  return NODES.flatMap(({ node, samples, source }) =>
    Array.from({ length: MINUTES }, (_, i): GpuSampleBatch => {
      const t = T0 + i * MIN;
      const pods = FLEET_PODS.filter((p) => p.node === node && running(p, t));
      const reading = (gpu: string) => pods.flatMap((p) => p.series).find((s) => s.gpu === gpu)?.minutes[i];
      const processes: GpuProcess[] = pods.flatMap((p, k) =>
        p.series.map((s, j) => ({
          gpuUuid: s.gpu,
          pid: 1000 * (k + 1) + j,
          processName: 'python3',
          usedMemoryBytes: Math.round(s.minutes[i]?.memoryBytes ?? 1 << 30),
          podUid: p.uid,
          containerId: `ctr-${p.uid}`,
        })),
      );
      return {
        schemaVersion: 1,
        agentId: `agent-${node}`,
        bootId: 'boot-1',
        seq: i,
        cluster: 'prod',
        node,
        collectedAtMs: t,
        source,
        processes,
        samples: samples.map((s) => {
          const r = reading(s.gpuUuid);
          return r === undefined
            ? { ...s, observedAtMs: t }
            : { ...s, observedAtMs: t, utilizationPct: r.utilizationPct, memoryUsedBytes: Math.round(r.memoryBytes) };
        }),
      };
    }),
  );
}

export function fleetPodEvents(): PodEvent[] {
  return FLEET_PODS.flatMap((p) => {
    const events: [PodEvent['event'], number][] = [
      ['scheduled', p.startMs - MIN],
      ['started', p.startMs],
    ];
    if (p.endMs !== null) events.push(['deleted', p.endMs]);
    return events.map(([event, atMs]) => ({
      schemaVersion: 1 as const,
      cluster: 'prod',
      node: p.node,
      podUid: p.uid,
      namespace: p.namespace,
      podName: p.name,
      event,
      atMs,
      gpuRequest: p.request,
      labels: p.labels,
      owner: p.owner,
      gpuUuids: p.assigned,
    }));
  });
}

/** Writes the whole fleet through the ingest mapping and recomputes its 1-minute rollups. */
export async function insertRecommenderFleet(store: TelemetryStore): Promise<void> {
  const batches = fleetBatches().map(packGpuSampleBatch);
  const ingestedAtMs = T0 + 11 * HOUR_MS;
  await store.insertGpuSamples(batches.flatMap((b) => toGpuSampleRows(b, ingestedAtMs)));
  await store.insertGpuProcesses(batches.flatMap((b) => toGpuProcessRows(b)));
  await store.insertPodEvents(fleetPodEvents().map((e) => toPodEventRow(e, ingestedAtMs)));
  await recomputeMinutes(store.executor, {
    database: store.database,
    fromMs: T0,
    toMs: T0 + MINUTES * MIN,
    nodes: NODES.map((n) => ({ cluster: 'prod', node: n.node })),
    maxGapMs: 2 * MIN,
    computedAtMs: ingestedAtMs,
  });
}

/**
 * A migrated database holding the fleet, its first 8 hours priced by the cost ledger and the
 * recommender run on them (the state `gpu-ledger pipeline` reaches at 8:20). Returns that time.
 */
export async function fleetWithRecommendations(executor: SqlExecutor, database: string): Promise<number> {
  const telemetry = createTelemetryStore(executor, { database });
  await telemetry.migrate();
  await insertRecommenderFleet(telemetry);
  let clock = T0 + 8 * HOUR_MS + 15 * MIN;
  const deps = { now: () => clock, logger: testLogger('recommender') };
  const source = {
    executor,
    database,
    catalog: loadPriceCatalog(),
    cost: parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet'),
  };
  await createCostLedgerJob({ ...source, options: { cost: source.cost } }, deps).run();
  clock = T0 + 8 * HOUR_MS + 20 * MIN;
  await createRecommenderJob(source, deps).run();
  return clock;
}
