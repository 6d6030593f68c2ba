/**
 * A small ledger for the API tests, written through cost-store.write (so the daily pre-aggregation is
 * refreshed as the pipeline refreshes it), with hand-computed figures. Every hour of 3 days from D0:
 *   node n1 (2× A100 at $2/h): pod a1 (tenant alpha, ns ml-a, team vision, Job train-a, label app=train)
 *     1 GPU, used half: cost 2, waste 1; pod b1 (beta, ns ml-b, team nlp, model llama-3) 1 GPU, fully
 *     used: cost 2; idle 2 GPU-h: cost 4.
 *   node n2 (1× A100 at $2/h): pod a2 (alpha, ns ml-a, MIG 3g.40gb → half a GPU here) 0.5 GPU, used
 *     half: cost 1, waste 0.5; idle 0.5 GPU-h: cost 1.
 * Per hour: alpha 3, beta 2, idle 5 (n1 4, n2 1), fleet 10. b1 serves llama-3: 2M prompt and 1M
 * generated tokens an hour, so $1 per 1M prompt and $2 per 1M generated tokens.
 */
import { IDLE_BUCKET, type CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import type { PodEventRow } from '../../pipeline/store/rows.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';

export const HOUR_MS = 3_600_000;
/** 2026-11-02T00:00Z, a Monday. */
export const D0 = Date.UTC(2026, 10, 2);
export const DAYS = 3;
/** The API's clock in these tests: half an hour after the third day ended. */
export const NOW = D0 + DAYS * 24 * HOUR_MS + 30 * 60_000;
export const PER_HOUR = { alpha: 3, beta: 2, idle: 5, idleN1: 4, idleN2: 1, fleet: 10 } as const;

const base = (
  ws: number,
): Omit<
  CostLedgerRow,
  | 'node'
  | 'bucket'
  | 'namespace'
  | 'pod'
  | 'podUid'
  | 'tenant'
  | 'team'
  | 'workload'
  | 'model'
  | 'labels'
  | 'allocatedGpuSeconds'
  | 'usedGpuSeconds'
  | 'costUsd'
  | 'wasteUsd'
> => ({
  schemaVersion: 1,
  windowStartMs: ws,
  windowEndMs: ws + HOUR_MS,
  cluster: 'c1',
  gpuModel: 'NVIDIA A100-SXM4-80GB',
  pricingTier: 'on-demand',
  priceUsdPerGpuHour: 2,
});

/** The idle row of `row`'s node and window: GPU time no pod held, priced at `row`'s price. */
export const asIdle = (row: CostLedgerRow, gpuSeconds: number): CostLedgerRow => ({
  ...row,
  bucket: 'idle',
  ...Object.fromEntries(['namespace', 'pod', 'podUid', 'tenant', 'team', 'workload'].map((k) => [k, IDLE_BUCKET])),
  model: '',
  labels: {},
  allocatedGpuSeconds: gpuSeconds,
  usedGpuSeconds: 0,
  costUsd: (gpuSeconds / 3600) * row.priceUsdPerGpuHour,
  wasteUsd: 0,
});

const idle = (ws: number, node: string, gpuSeconds: number): CostLedgerRow =>
  asIdle(
    {
      ...base(ws),
      node,
      bucket: 'idle',
      namespace: '',
      pod: '',
      podUid: '',
      tenant: '',
      team: '',
      workload: '',
      model: '',
      labels: {},
      allocatedGpuSeconds: 0,
      usedGpuSeconds: 0,
      costUsd: 0,
      wasteUsd: 0,
    },
    gpuSeconds,
  );

export const hourRows = (ws: number): CostLedgerRow[] => [
  {
    ...base(ws),
    node: 'n1',
    bucket: 'workload',
    namespace: 'ml-a',
    pod: 'a1',
    podUid: 'uid-a1',
    tenant: 'alpha',
    team: 'vision',
    workload: 'train-a',
    model: '',
    labels: { app: 'train' },
    allocatedGpuSeconds: 3600,
    usedGpuSeconds: 1800,
    costUsd: 2,
    wasteUsd: 1,
  },
  {
    ...base(ws),
    node: 'n1',
    bucket: 'workload',
    namespace: 'ml-b',
    pod: 'b1',
    podUid: 'uid-b1',
    tenant: 'beta',
    team: 'nlp',
    workload: 'serve-b',
    model: 'llama-3',
    labels: { app: 'serve' },
    allocatedGpuSeconds: 3600,
    usedGpuSeconds: 3600,
    costUsd: 2,
    wasteUsd: 0,
  },
  idle(ws, 'n1', 7200),
  {
    ...base(ws),
    node: 'n2',
    bucket: 'workload',
    namespace: 'ml-a',
    pod: 'a2',
    podUid: 'uid-a2',
    tenant: 'alpha',
    team: 'vision',
    workload: 'tune-a',
    model: '',
    labels: { app: 'tune' },
    allocatedGpuSeconds: 1800,
    usedGpuSeconds: 900,
    costUsd: 1,
    wasteUsd: 0.5,
  },
  idle(ws, 'n2', 1800),
];

const podEvent = (uid: string, pod: string, namespace: string, over: Partial<PodEventRow>): PodEventRow => ({
  at_ms: D0,
  cluster: 'c1',
  node: 'n1',
  pod_uid: uid,
  namespace,
  pod_name: pod,
  event: 'started',
  gpu_request_kind: 'whole',
  gpu_request_count: 1,
  gpu_request_milli: 0,
  gpu_request_memory_bytes: null,
  gpu_request_mig_profile: '',
  label_keys: [],
  label_values: [],
  owner_kind: 'Job',
  owner_name: '',
  gpu_uuids: [],
  ingested_at_ms: D0,
  ...over,
});

/** Migrates the database and writes the 3 days (72 computations) and the pods' lifecycle starts. */
export async function writeApiLedger(executor: SqlExecutor, database: string): Promise<void> {
  const telemetry = createTelemetryStore(executor, { database });
  await telemetry.migrate();
  const cost = createCostStore(executor, { database });
  for (let h = 0; h < DAYS * 24; h++) {
    const ws = D0 + h * HOUR_MS;
    const rows = hourRows(ws);
    await cost.write({
      cluster: 'c1',
      windowStartMs: ws,
      windowEndMs: ws + HOUR_MS,
      computedAtMs: NOW,
      rows,
      fleetCostUsd: rows.reduce((s, r) => s + r.costUsd, 0),
      problems: [],
    });
  }
  await telemetry.insertModelServerSamples(
    Array.from({ length: DAYS * 24 }, (_, h) => ({
      observed_at_ms: D0 + h * HOUR_MS + 30 * 60_000,
      agent_id: 'c1/n1',
      cluster: 'c1',
      node: 'n1',
      server: 'vllm' as const,
      model: 'llama-3',
      pod_uid: 'uid-b1',
      window_ms: HOUR_MS,
      requests_delta: 1000,
      prompt_tokens_delta: 2_000_000,
      generation_tokens_delta: 1_000_000,
      latency_ms_sum: 0,
      latency_count: 0,
      queue_depth: null,
      kv_cache_usage_pct: null,
      ingested_at_ms: NOW,
    })),
  );
  await telemetry.insertPodEvents([
    podEvent('uid-a1', 'a1', 'ml-a', { owner_name: 'train-a' }),
    podEvent('uid-b1', 'b1', 'ml-b', { owner_kind: 'Deployment', owner_name: 'serve-b' }),
    podEvent('uid-a2', 'a2', 'ml-a', {
      node: 'n2',
      gpu_request_kind: 'mig',
      gpu_request_mig_profile: '3g.40gb',
      owner_name: 'tune-a',
    }),
  ]);
}
