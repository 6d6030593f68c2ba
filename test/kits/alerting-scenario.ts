/**
 * A cluster in which every built-in rule has something to say at time T, written into a real store
 * through the ingest writers (the pipeline's own path) and the cost ledger's store. Built from real
 * nvidia-smi captures: a Tesla T4 held idle by a pod for 40 minutes (and reporting gpu_idle clock
 * events: the throttle rule is configured to count them), an RTX A5000 at 91.34% memory (the memory
 * rule is configured at 90%), a V100 with 7627 uncorrectable ECC errors that also logs Xid 48; one
 * batch of the T4's agent never arrives; tenant acme's ledger hour costs 4× its baseline; its budget
 * is $0.05 a month (the T4 pod alone spends that in 6 minutes).
 */
import { parseNvidiaSmiXml } from '../../collectors/nvidia-smi/parse-xml.ts';
import { Topics, type GpuSample, type GpuSampleBatch, type PodEvent } from '../../contracts/index.ts';
import { IDLE_BUCKET, type CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { createStoreWriters } from '../../pipeline/ingest/store-writers.ts';
import { createBudgetStore } from '../../pipeline/store/budget-store.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import type { TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { positioned, positionedBatches } from '../helpers/positioned.ts';

const MIN = 60_000;
const H = 3_600_000;

/** The rules file of the scenario: the defaults, with throttle and memory tuned to what the captures show. */
export const SCENARIO_RULES = `rules:
  throttle: { params: { reasons: [gpu_idle] } }
  memory-near-full: { params: { usedAtLeastPct: 90 } }
`;

export const SCENARIO_RULE_NAMES = [
  'budget-burn',
  'cost-spike',
  'ecc-remap',
  'idle-allocated',
  'memory-near-full',
  'telemetry-gap',
  'throttle',
  'xid',
] as const;

const capture = (file: string, atMs: number) => parseNvidiaSmiXml(readFixture('nvidia-smi-xml', file), atMs);

function batch(
  node: string,
  seq: number,
  atMs: number,
  samples: GpuSample[],
  processes: GpuSampleBatch['processes'],
): GpuSampleBatch {
  return {
    schemaVersion: 1,
    agentId: `it/${node}`,
    bootId: 'boot-1',
    seq,
    cluster: 'it',
    node,
    collectedAtMs: atMs,
    source: 'nvidia-smi-xml',
    samples,
    processes,
  };
}

const podEvent = (event: PodEvent['event'], atMs: number, node: string, gpuUuid: string): PodEvent => ({
  schemaVersion: 1,
  cluster: 'it',
  node,
  podUid: 'uid-notebook',
  namespace: 'vision',
  podName: 'notebook-0',
  event,
  atMs,
  gpuRequest: { kind: 'whole', count: 1 },
  labels: { tenant: 'acme' },
  owner: null,
  gpuUuids: [gpuUuid],
});

/** Writes the scenario ending at `atMs` (data from atMs − 40 min); returns the T4's UUID. */
export async function writeAlertingScenario(store: TelemetryStore, atMs: number): Promise<{ t4Uuid: string }> {
  const writers = createStoreWriters(store, () => atMs);
  const t4 = capture('telegraf__tesla-t4__515.105.01__procs.xml', atMs);
  const a5000 = capture('telegraf__2x-rtx-a5000__590.44.01__procs.xml', atMs);
  const v100 = capture('openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml', atMs);
  const t4Uuid = t4.samples[0]!.gpuUuid;
  const batches: GpuSampleBatch[] = [];
  for (let i = 0; i <= 40; i++) {
    const t = atMs - (40 - i) * MIN;
    const at = (samples: readonly GpuSample[], extra: Partial<GpuSample> = {}) =>
      samples.map((s) => ({ ...s, observedAtMs: t, ...extra }) as GpuSample);
    // seq 17 of the T4's agent is lost on the way
    if (i !== 17)
      batches.push(
        batch('gpu-t4-0', i, t, at(t4.samples, { utilizationPct: 0 }), [
          {
            gpuUuid: t4Uuid,
            pid: 4242,
            processName: 'python',
            usedMemoryBytes: 2 ** 30,
            podUid: 'uid-notebook',
            containerId: null,
          },
        ]),
      );
    batches.push(batch('gpu-a5000-0', i, t, at(a5000.samples), []));
    batches.push(batch('gpu-v100-0', i, t, at(v100.samples, i === 38 ? { xidErrors: [48] } : {}), []));
  }
  await writers.gpuSamples(positionedBatches(batches));
  await writers.podEvents(
    positioned(
      (['scheduled', 'started'] as const).map((e) => podEvent(e, atMs - 45 * MIN, 'gpu-t4-0', t4Uuid)),
      Topics.podEvents,
      (e) => ({ key: e.podUid, timestampMs: atMs }),
    ),
  );
  // 25 closed ledger hours: acme $10 an hour, then $40
  const costs = createCostStore(store.executor, { database: store.database });
  const lastClosed = Math.floor(atMs / H) * H - H;
  for (let w = lastClosed - 24 * H; w <= lastClosed; w += H) {
    const row = (o: Partial<CostLedgerRow>): CostLedgerRow => ({
      schemaVersion: 1,
      windowStartMs: w,
      windowEndMs: w + H,
      cluster: 'it',
      node: 'gpu-t4-0',
      gpuModel: 'T4',
      pricingTier: 'on-demand',
      bucket: 'workload',
      namespace: 'vision',
      pod: 'trainer',
      podUid: 'uid-trainer',
      tenant: 'acme',
      team: '__unallocated__',
      workload: '__unallocated__',
      model: '',
      labels: {},
      allocatedGpuSeconds: 3600,
      usedGpuSeconds: 3600,
      priceUsdPerGpuHour: 10,
      costUsd: w === lastClosed ? 40 : 10,
      wasteUsd: 0,
      ...o,
    });
    const rows = [
      row({}),
      row({ bucket: 'idle', tenant: IDLE_BUCKET, pod: IDLE_BUCKET, podUid: IDLE_BUCKET, costUsd: 1 }),
    ];
    await costs.write({
      cluster: 'it',
      windowStartMs: w,
      windowEndMs: w + H,
      computedAtMs: atMs,
      rows,
      fleetCostUsd: rows.reduce((s, r) => s + r.costUsd, 0),
      problems: [],
    });
  }
  await createBudgetStore(store.executor, { database: store.database }).set({
    id: 'tenant/acme',
    scope: 'tenant',
    scopeValue: 'acme',
    period: 'monthly',
    amountUsd: 0.05,
    thresholdsPct: [50, 80, 100],
    updatedAtMs: atMs - H,
    updatedBy: 'integration-test',
  });
  return { t4Uuid };
}
