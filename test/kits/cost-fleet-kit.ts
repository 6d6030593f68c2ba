/**
 * Test fleet for the cost ledger's end-to-end tests (not used by production code): four nodes whose
 * GPUs are real captures (UUIDs, product names) from shared/fixtures/telemetry, sampled every 30 s
 * for two hours from T0, seven pods with exact lifecycle events, model-server samples, and the
 * ground truth computed by hand (see FLEET_TRUTH).
 */
import { parseDcgmMetrics } from '../../collectors/dcgm/parse-dcgm.ts';
import { parseNvidiaSmiXml } from '../../collectors/nvidia-smi/parse-xml.ts';
import type { GpuProcess, GpuSample, GpuSampleBatch, ModelServerSample, PodEvent } from '../../contracts/index.ts';
import { packGpuSampleBatch } from '../../pipeline/ingest/packed-gpu-batch.ts';
import {
  toGpuProcessRows,
  toGpuSampleRows,
  toModelServerSampleRow,
  toPodEventRow,
} from '../../pipeline/ingest/to-rows.ts';
import type { TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { readFixture } from '../helpers/fixtures.ts';

/** 2026-11-02T10:00:00Z; the fleet runs [T0, T0 + 2 h], samples at T0 + 30 s × i, i = 0..240. */
export const T0 = Date.UTC(2026, 10, 2, 10);
export const HOUR_MS = 3_600_000;
const MIN = 60_000;
const SAMPLE_MS = 30_000;

/** Prices chosen so the truth is easy by hand: $3.60/GPU-h = $0.001/GPU-s. */
export const FLEET_CATALOG_YAML = `
schemaVersion: 1
currency: USD
models:
  A100-80GB: { aliases: [NVIDIA A100-SXM4-80GB, NVIDIA A800-SXM4-80GB] }
  V100-32GB: { aliases: [Tesla V100-SXM2-32GB] }
  T4: { aliases: [Tesla T4] }
versions:
  - effectiveFrom: "2026-01-01T00:00:00Z"
    prices:
      - { model: A100-80GB, tier: on-demand, usdPerGpuHour: 3.60, source: test }
      - { model: V100-32GB, tier: spot, usdPerGpuHour: 0.36, source: test }
      - { model: T4, tier: on-demand, usdPerGpuHour: 0.36, source: test }
`;

export const FLEET_COST_CONFIG_YAML = `
tenancy:
  namespaceTenants: { llm-serving: acme, research: globex, batch: globex }
  namespaceTeams: { research: vision }
nodePricing:
  rules: [{ match: "v100-*", pricingTier: spot, pool: spot-pool }]
focus: { billingAccountId: acct-42, billingAccountName: Example ML platform }
`;

const dcgm = (file: string) => parseDcgmMetrics(readFixture('dcgm', file), T0).samples.filter((s) => s.kind === 'gpu');
const xml = (file: string) => parseNvidiaSmiXml(readFixture('nvidia-smi-xml', file), T0).samples;
const A800 = dcgm('johnsblog-8xA800-mig-2g.20gb-535.129.03.prom'); // 8 × NVIDIA A800-SXM4-80GB
// 3 × Tesla V100-SXM2-32GB: the excerpt's GPUs with a utilization or power reading (GPU 1 is only in
// its PCIe replay counter's series).
const V100 = dcgm('issue-dcgm-exporter-250-4xV100-SXM2.prom').filter(
  (s) => s.utilizationPct !== null || s.powerLimitWatts !== null,
);
const A100_MIG = xml('telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml'); // 1 GPU + 4 MIG instances
const T4 = xml('telegraf__tesla-t4__515.105.01__procs.xml'); // 1 × Tesla T4
if (A800.length !== 8 || V100.length !== 3 || A100_MIG.length !== 5 || T4.length !== 1)
  throw new Error('fixture GPU counts changed');
const uuid = (s: readonly GpuSample[], i: number) => (s[i] as GpuSample).gpuUuid;

interface PodSpec {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly request: PodEvent['gpuRequest'];
  readonly labels?: Record<string, string>;
  readonly owner?: PodEvent['owner'];
  /** Lifecycle: [event, atMs] in order. Processes run while started < t ≤ the first end. */
  readonly events: readonly (readonly [PodEvent['event'], number])[];
  /** GPUs its processes run on (the parent UUID for MIG, as nvidia-smi reports). */
  readonly gpus: readonly string[];
  readonly assigned?: readonly string[];
}

const END = T0 + 2 * HOUR_MS;
export const FLEET_PODS: readonly PodSpec[] = [
  {
    uid: 'pod-vllm-qwen',
    namespace: 'llm-serving',
    name: 'vllm-qwen-0',
    node: 'a800-0',
    request: { kind: 'whole', count: 4 },
    labels: { model: 'qwen2.5-0.5b', team: 'serving' },
    owner: { kind: 'StatefulSet', name: 'vllm-qwen' },
    events: [
      ['scheduled', T0 - 2 * HOUR_MS - MIN],
      ['started', T0 - 2 * HOUR_MS],
      ['finished', END],
    ],
    gpus: A800.slice(0, 4).map((s) => s.gpuUuid),
    assigned: A800.slice(0, 4).map((s) => s.gpuUuid),
  },
  {
    uid: 'pod-train-a',
    namespace: 'research',
    name: 'train-a-x7k2p',
    node: 'a800-0',
    request: { kind: 'whole', count: 2 },
    owner: { kind: 'Job', name: 'train-a' },
    events: [
      ['created', T0 + 14 * MIN],
      ['scheduled', T0 + 14 * MIN + 30_000],
      ['started', T0 + 15 * MIN],
      ['finished', T0 + 105 * MIN],
      ['deleted', T0 + 106 * MIN],
    ],
    gpus: [uuid(A800, 4), uuid(A800, 5)],
  },
  {
    uid: 'pod-triton-densenet',
    namespace: 'llm-serving',
    name: 'triton-densenet-0',
    node: 'v100-0',
    request: { kind: 'whole', count: 1 },
    owner: { kind: 'ReplicaSet', name: 'triton-densenet-5c8d' },
    events: [
      ['started', T0 - 5 * HOUR_MS],
      ['finished', END],
    ],
    gpus: [uuid(V100, 0)],
  },
  {
    uid: 'pod-mig-infer',
    namespace: 'research',
    name: 'mig-infer-0',
    node: 'a100-mig-0',
    request: { kind: 'mig', profile: '3g.40gb', count: 1 },
    events: [
      ['started', T0 - 3 * HOUR_MS],
      ['finished', END],
    ],
    gpus: [uuid(A100_MIG, 0)],
  },
  {
    uid: 'pod-batch-b',
    namespace: 'batch',
    name: 'job-b-9q2w1',
    node: 't4-0',
    request: { kind: 'fraction', milli: 500 },
    events: [
      ['scheduled', T0 + 29 * MIN + 50_000],
      ['started', T0 + 30 * MIN],
      ['deleted', T0 + 90 * MIN],
    ],
    gpus: [uuid(T4, 0)],
  },
  {
    uid: 'pod-notebook',
    namespace: 'sandbox',
    name: 'notebook-0',
    node: 't4-0',
    request: { kind: 'fraction', milli: 250 },
    labels: { tenant: 'initech' },
    events: [
      ['started', T0 - HOUR_MS],
      ['finished', END],
    ],
    gpus: [uuid(T4, 0)],
  },
  {
    uid: 'pod-dcgm-exporter',
    namespace: 'kube-system',
    name: 'dcgm-exporter-abcde',
    node: 'a800-0',
    request: { kind: 'none' },
    events: [['started', T0 - 24 * HOUR_MS]],
    gpus: [],
  },
];

const NODES: readonly { readonly node: string; readonly samples: readonly GpuSample[] }[] = [
  { node: 'a800-0', samples: A800 },
  { node: 'v100-0', samples: V100 },
  { node: 'a100-mig-0', samples: A100_MIG },
  { node: 't4-0', samples: T4 },
];

const running = (p: PodSpec, t: number): boolean => {
  const at = (e: PodEvent['event']) => p.events.find(([x]) => x === e)?.[1];
  const start = at('started') ?? at('scheduled');
  const ends = [at('finished'), at('deleted')].filter((x): x is number => x !== undefined);
  return start !== undefined && start < t && (ends.length === 0 || t <= Math.min(...ends));
};

/** Utilization at t, set per device; the MIG GPU keeps the capture's null (nvidia-smi reports none under MIG). */
const BUSY_PCT: Readonly<Record<string, number>> = {
  'pod-vllm-qwen': 50,
  'pod-train-a': 90,
  'pod-triton-densenet': 70,
};
const utilization = (s: GpuSample, t: number): number | null => {
  if (s.kind === 'mig' || s.gpuUuid === uuid(A100_MIG, 0)) return s.utilizationPct;
  if (s.gpuUuid === uuid(T4, 0)) return 40;
  const pod = FLEET_PODS.find((p) => p.gpus.includes(s.gpuUuid) && running(p, t));
  return pod === undefined ? 0 : (BUSY_PCT[pod.uid] ?? 0);
};

export function fleetBatches(): GpuSampleBatch[] {
  return NODES.flatMap(({ node, samples }) =>
    Array.from({ length: 241 }, (_, seq): GpuSampleBatch => {
      const t = T0 + seq * SAMPLE_MS;
      const processes: GpuProcess[] = FLEET_PODS.filter((p) => p.node === node && running(p, t)).flatMap((p) =>
        p.gpus.map((gpuUuid, i) => ({
          gpuUuid,
          pid: 1000 * (1 + FLEET_PODS.indexOf(p)) + i,
          processName: 'python3',
          usedMemoryBytes: 1 << 30,
          podUid: p.uid,
          containerId: `ctr-${p.uid}`,
        })),
      );
      return {
        schemaVersion: 1,
        agentId: `agent-${node}`,
        bootId: 'boot-1',
        seq,
        cluster: 'prod',
        node,
        collectedAtMs: t,
        source: node === 'a800-0' || node === 'v100-0' ? 'dcgm' : 'nvidia-smi-xml',
        samples: samples.map((s) => ({ ...s, observedAtMs: t, utilizationPct: utilization(s, t) })),
        processes,
      };
    }),
  );
}

export function fleetPodEvents(): PodEvent[] {
  return FLEET_PODS.flatMap((p) =>
    p.events.map(([event, atMs]): PodEvent => ({
      schemaVersion: 1,
      cluster: 'prod',
      node: event === 'created' ? null : p.node,
      podUid: p.uid,
      namespace: p.namespace,
      podName: p.name,
      event,
      atMs,
      gpuRequest: p.request,
      labels: p.labels ?? {},
      owner: p.owner ?? null,
      gpuUuids: event === 'created' ? [] : (p.assigned ?? []),
    })),
  );
}

/** Scrapes every minute over (T0, T0 + 2 h]: vLLM on the qwen pod, Triton on the densenet pod, one vLLM sample with no pod. */
export function fleetModelSamples(): ModelServerSample[] {
  const base = {
    schemaVersion: 1,
    cluster: 'prod',
    windowMs: MIN,
    latencyMsSum: 0,
    latencyCount: 0,
    queueDepth: null,
    kvCacheUsagePct: null,
  } as const;
  return Array.from({ length: 120 }, (_, j) => T0 + (j + 1) * MIN).flatMap((observedAtMs): ModelServerSample[] => [
    {
      ...base,
      agentId: 'agent-a800-0',
      node: 'a800-0',
      server: 'vllm',
      model: 'Qwen/Qwen2.5-0.5B-Instruct',
      podUid: 'pod-vllm-qwen',
      observedAtMs,
      requestsDelta: 100,
      promptTokensDelta: 60_000,
      generationTokensDelta: 30_000,
    },
    {
      ...base,
      agentId: 'agent-v100-0',
      node: 'v100-0',
      server: 'triton',
      model: 'densenet_onnx',
      podUid: 'pod-triton-densenet',
      observedAtMs,
      requestsDelta: 50,
      promptTokensDelta: 0,
      generationTokensDelta: 0,
    },
    ...(observedAtMs === T0 + 30 * MIN
      ? [
          {
            ...base,
            agentId: 'agent-laptop',
            node: 'laptop',
            server: 'vllm',
            model: 'Qwen/Qwen2.5-0.5B-Instruct',
            podUid: null,
            observedAtMs,
            requestsDelta: 1,
            promptTokensDelta: 1000,
            generationTokensDelta: 500,
          } as const,
        ]
      : []),
  ]);
}

/** Writes the whole fleet through the ingest mapping (to-rows.ts), as the pipeline would. */
export async function insertFleet(store: TelemetryStore, ingestedAtMs: number): Promise<void> {
  const batches = fleetBatches().map(packGpuSampleBatch);
  await store.insertGpuSamples(batches.flatMap((b) => toGpuSampleRows(b, ingestedAtMs)));
  await store.insertGpuProcesses(batches.flatMap((b) => toGpuProcessRows(b)));
  await store.insertPodEvents(fleetPodEvents().map((e) => toPodEventRow(e, ingestedAtMs)));
  await store.insertModelServerSamples(fleetModelSamples().map((m) => toModelServerSampleRow(m, ingestedAtMs)));
}

/**
 * Ground truth per hour (both hours are alike), by hand at $0.001/GPU-s (A100/A800), $0.0001 (T4, V100 spot):
 *   a800-0  8 GPUs = $28.80: qwen 4 × 3600 s = $14.40 (50% busy: waste $7.20); train-a 2 × 2700 s = $5.40
 *           (90% busy: waste $0.54); idle 28 800 − 14 400 − 5 400 = 9 000 GPU-s = $9.00
 *   v100-0  3 GPUs spot = $1.08: densenet 3600 s = $0.36 (70%: waste $0.108); idle $0.72
 *   a100-mig-0  1 GPU = $3.60: mig-infer 3g.40gb = 3/7 × 3600 s = $1.542857 (MIG utilization is not
 *           reported by nvidia-smi: all waste); idle 4/7 = $2.057143
 *   t4-0    1 GPU = $0.36: job-b 0.5 × 1800 s = $0.09, notebook 0.25 × 3600 s = $0.09, idle $0.18.
 *           T4 40% busy, split equally while both run: job-b used 0.4 × 1800 / 2 = 360 GPU-s (waste
 *           $0.054), notebook 720 + 360 = 1080 → clamped to its 900 allocated (no waste)
 *   fleet $33.84 = acme $14.76 (qwen + densenet) + globex $7.032857 (train-a + mig-infer + job-b)
 *                + initech $0.09 (notebook, by its tenant label) + idle $11.957143
 */
export const FLEET_TRUTH_PER_HOUR = {
  fleetUsd: 33.84,
  tenants: {
    acme: 14.76,
    globex: 5.4 + 3.6 * (3 / 7) + 0.09,
    initech: 0.09,
    __idle__: 9 + 0.72 + 3.6 * (4 / 7) + 0.18,
  },
  wasteUsd: 7.2 + 0.54 + 0.108 + 3.6 * (3 / 7) + 0.054,
  usedGpuSeconds: {
    'pod-vllm-qwen': 7200,
    'pod-train-a': 4860,
    'pod-triton-densenet': 2520,
    'pod-mig-infer': 0,
    'pod-batch-b': 360,
    'pod-notebook': 900,
  },
} as const;
