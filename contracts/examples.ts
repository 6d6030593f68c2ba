/**
 * One valid example of each v1 record, with values modelled on real captures in
 * shared/fixtures/telemetry (A100-SXM4-80GB with MIG, driver 535.54.03; vLLM serving Qwen2.5 on
 * an L4). For tests and documentation; every example decodes to itself (contracts tests check it).
 */
import type { Alert } from './alert.ts';
import type { CostLedgerRow } from './cost-ledger-row.ts';
import { IDLE_BUCKET } from './cost-ledger-row.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { GpuSampleBatch } from './gpu-sample-batch.ts';
import type { ModelServerSample } from './model-server-sample.ts';
import type { NodeHint } from './node-hint.ts';
import type { PodEvent } from './pod-event.ts';
import type { Recommendation } from './recommendation.ts';

const MIB = 1024 * 1024;
const T0 = 1_752_483_644_000; // 2025-07-14T09:00:44Z
const PARENT = 'GPU-4e5f9e41-8fa1-3b45-5d8d-5e1b5f9f4d10';
const POD_UID = '90d81341-92de-11e7-8cf2-507b9d4141fa';

/** A DCGM batch from a MIG-enabled A100: the parent GPU, one MIG instance with its MIG UUID, one without. */
export const exampleGpuSampleBatch: GpuSampleBatch = {
  schemaVersion: 1,
  agentId: 'gpu-node-07',
  bootId: '5b0a3c2e-1d4f-4a8e-9c61-2f7e8d9a0b1c',
  seq: 41,
  cluster: 'prod-eu',
  node: 'gpu-node-07',
  collectedAtMs: T0,
  source: 'dcgm',
  samples: [
    {
      kind: 'gpu',
      gpuUuid: PARENT,
      parentGpuUuid: null,
      mig: null,
      index: 0,
      model: 'NVIDIA A100-SXM4-80GB',
      driverVersion: '535.54.03',
      observedAtMs: T0,
      utilizationPct: null,
      memoryUsedBytes: 50 * MIB,
      memoryTotalBytes: 81920 * MIB,
      powerWatts: 88.42,
      powerLimitWatts: 400,
      temperatureC: 33,
      smClockMhz: 1410,
      memClockMhz: 1593,
      throttleReasons: [],
      eccCorrectedTotal: 0,
      eccUncorrectedTotal: 0,
      xidErrors: [],
    },
    {
      kind: 'mig',
      gpuUuid: 'MIG-b5c3e6a7-1f0d-5a7e-9d3c-0a1b2c3d4e5f',
      parentGpuUuid: PARENT,
      mig: { gpuInstanceId: 3, computeInstanceId: 0, profile: '2g.20gb' },
      index: 0,
      model: 'NVIDIA A100-SXM4-80GB',
      driverVersion: '535.54.03',
      observedAtMs: T0,
      utilizationPct: null,
      memoryUsedBytes: 12 * MIB,
      memoryTotalBytes: 19968 * MIB,
      powerWatts: null,
      powerLimitWatts: null,
      temperatureC: null,
      smClockMhz: null,
      memClockMhz: null,
      throttleReasons: [],
      eccCorrectedTotal: null,
      eccUncorrectedTotal: null,
      smActivePct: 41.5,
      tensorActivePct: 12.25,
      graphicsEngineActivePct: 63,
    },
    {
      kind: 'mig',
      gpuUuid: PARENT,
      parentGpuUuid: PARENT,
      mig: { gpuInstanceId: 4, computeInstanceId: null, profile: null },
      index: 1,
      model: 'NVIDIA A100-SXM4-80GB',
      driverVersion: '535.54.03',
      observedAtMs: T0,
      utilizationPct: null,
      memoryUsedBytes: null,
      memoryTotalBytes: null,
      powerWatts: null,
      powerLimitWatts: null,
      temperatureC: null,
      smClockMhz: null,
      memClockMhz: null,
      throttleReasons: [],
      eccCorrectedTotal: null,
      eccUncorrectedTotal: null,
      graphicsEngineActivePct: 0,
    },
  ],
  processes: [
    {
      gpuUuid: PARENT,
      gpuInstanceId: 3,
      computeInstanceId: 0,
      pid: 21198,
      processName: '/usr/bin/python3',
      usedMemoryBytes: 7484 * MIB,
      podUid: POD_UID,
      containerId: '2227daf62df6694645fee5df53c1f91271546a9560e8600a525690ae252b7f63',
    },
    {
      gpuUuid: PARENT,
      pid: 1821,
      processName: '/usr/lib/xorg/Xorg',
      usedMemoryBytes: null,
      podUid: null,
      containerId: null,
    },
  ],
};

/** A vLLM pod asking for one MIG 2g.20gb slice, at the moment it started. */
export const examplePodEvent: PodEvent = {
  schemaVersion: 1,
  cluster: 'prod-eu',
  node: 'gpu-node-07',
  podUid: POD_UID,
  namespace: 'inference',
  podName: 'qwen-vllm-6d8f7c9b5-x2kqp',
  event: 'started',
  atMs: T0 - 60_000,
  gpuRequest: { kind: 'mig', profile: '2g.20gb', count: 1 },
  labels: {
    'app.kubernetes.io/name': 'qwen-vllm',
    team: 'search',
    tenant: 'acme',
    model: 'Qwen/Qwen2.5-0.5B-Instruct',
  },
  owner: { kind: 'ReplicaSet', name: 'qwen-vllm-6d8f7c9b5' },
  gpuUuids: ['MIG-b5c3e6a7-1f0d-5a7e-9d3c-0a1b2c3d4e5f'],
};

/** One 15 s vLLM scrape window. */
export const exampleModelServerSample: ModelServerSample = {
  schemaVersion: 1,
  agentId: 'gpu-node-07',
  cluster: 'prod-eu',
  node: 'gpu-node-07',
  server: 'vllm',
  model: 'Qwen/Qwen2.5-0.5B-Instruct',
  podUid: POD_UID,
  observedAtMs: T0,
  windowMs: 15_000,
  requestsDelta: 42,
  promptTokensDelta: 18_204,
  generationTokensDelta: 5_376,
  latencyMsSum: 31_920.5,
  latencyCount: 42,
  queueDepth: 0,
  kvCacheUsagePct: 3.2,
};

/** The idle bucket of one node for one hour. */
export const exampleCostLedgerRow: CostLedgerRow = {
  schemaVersion: 1,
  windowStartMs: 1_752_480_000_000,
  windowEndMs: 1_752_483_600_000,
  cluster: 'prod-eu',
  node: 'gpu-node-07',
  gpuModel: 'NVIDIA A100-SXM4-80GB',
  pricingTier: 'on-demand',
  bucket: 'idle',
  namespace: IDLE_BUCKET,
  pod: IDLE_BUCKET,
  podUid: IDLE_BUCKET,
  tenant: IDLE_BUCKET,
  team: IDLE_BUCKET,
  workload: IDLE_BUCKET,
  model: '',
  labels: {},
  allocatedGpuSeconds: 0,
  usedGpuSeconds: 0,
  priceUsdPerGpuHour: 4.1,
  costUsd: 2.05,
  wasteUsd: 0,
};

/** A firing allocated-but-idle alert. */
export const exampleAlert: Alert = {
  schemaVersion: 1,
  id: 'gpu-allocated-idle/8c1f0e2a',
  ruleId: 'gpu-allocated-idle',
  severity: 'warning',
  status: 'firing',
  labels: {
    cluster: 'prod-eu',
    node: 'gpu-node-07',
    gpu: PARENT,
    namespace: 'inference',
    pod: 'qwen-vllm-6d8f7c9b5-x2kqp',
  },
  summary: 'GPU allocated to inference/qwen-vllm-6d8f7c9b5-x2kqp has been idle for 2h',
  runbook: 'Check whether the workload still serves traffic; scale it down or release the GPU.',
  startsAtMs: T0 - 7_200_000,
  endsAtMs: null,
  evidence: { utilizationPct: 0.4, windowMinutes: 120, gpuModel: 'NVIDIA A100-SXM4-80GB' },
};

/**
 * A recommendation to move a one-GPU workload onto a MIG slice: p95 utilization 26.4% and a 36.2 GiB
 * memory peak (a gentd26 pod's series) fit an A100-80GB `3g.40gb`; $5.12071875/GPU-h (catalog) × 4/7 × 730 h.
 */
export const exampleRecommendation: Recommendation = {
  schemaVersion: 1,
  id: 'rec-3f9a1c0d2b7e4a65',
  kind: 'share',
  target: {
    cluster: 'prod-eu',
    node: 'gpu-node-07',
    namespace: 'inference',
    workload: 'sd-lora',
    pod: 'sd-lora-6d8f7c9b5-x2kqp',
    tenant: 'acme',
  },
  current: { gpuModel: 'A100-80GB', gpuRequest: { kind: 'whole', count: 1 } },
  recommended: { gpuModel: 'A100-80GB', gpuRequest: { kind: 'mig', profile: '3g.40gb', count: 1 } },
  evidence: { utilizationP95Pct: 26.4, memoryPeakBytes: 38_903_431_168, hoursObserved: 22.8, migProfile: '3g.40gb' },
  estimatedMonthlySavingUsd: 2136.07,
  confidence: 0.42,
  riskNote: 'A 3g.40gb slice is 3/7 of the GPU: bursts above 42.9% of a full A100-80GB (max seen 65.7%) slow down.',
  status: 'open',
  statusReason: null,
  createdAtMs: T0,
  updatedAtMs: T0,
  acceptedAtMs: null,
  realisedMonthlySavingUsd: null,
};

/** The hint of a node with one A100-SXM4-80GB held whole by one pod, one open recommendation and one firing alert. */
export const exampleNodeHint: NodeHint = {
  schemaVersion: 1,
  cluster: 'prod-eu',
  node: 'gpu-node-07',
  computedAtMs: T0,
  staleAfterMs: 180_000,
  utilizationWindowMs: 600_000,
  gpuModel: 'A100-80GB',
  pricingTier: 'on-demand',
  gpuCount: 1,
  allocatedGpus: 1,
  freeMilli: 0,
  utilizationHeadroomPct: 73.6,
  fragmentation: { measure: 'unusable-free-milli-for-common-shapes', unusableFreeMilli: 0, ratio: 0 },
  costUsdPerHour: 5.12071875,
  idleCostUsdPerHour: 0,
  gpus: [
    {
      gpuUuid: PARENT,
      model: 'NVIDIA A100-SXM4-80GB',
      allocatedMilli: 1000,
      freeMilli: 0,
      utilizationAvgPct: 7.1,
      utilizationP95Pct: 26.4,
      utilizationHeadroomPct: 73.6,
      memoryUsedMaxBytes: 38_903_431_168,
      memoryTotalBytes: 81920 * MIB,
      costUsdPerHour: 5.12071875,
    },
  ],
  activeAnomalies: [
    {
      alertId: 'gpu-allocated-idle/prod-eu/gpu-node-07/0',
      ruleId: 'gpu-allocated-idle',
      severity: 'warning',
      summary: 'GPU allocated to inference/sd-lora-6d8f7c9b5-x2kqp has been idle for 2h',
      gpuUuid: PARENT,
      startsAtMs: T0 - 7_200_000,
    },
  ],
  pendingRecommendations: [
    {
      id: 'rec-3f9a1c0d2b7e4a65',
      kind: 'share',
      status: 'open',
      namespace: 'inference',
      workload: 'sd-lora',
      estimatedMonthlySavingUsd: 2136.07,
    },
  ],
};

/** A GpuSampleBatch that failed validation. */
export const exampleDeadLetter: DeadLetter = {
  schemaVersion: 1,
  sourceTopic: 'telemetry.gpu-samples.v1',
  partition: 3,
  offset: '918273645',
  key: 'gpu-node-07',
  reason: 'samples[0].utilizationPct: Too big: expected number to be <=100',
  payload: '{"schemaVersion":1,"agentId":"gpu-node-07"}',
  payloadTruncated: false,
  failedAtMs: T0 + 1_250,
};
