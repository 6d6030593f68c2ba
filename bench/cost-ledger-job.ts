/**
 * Figure for the cost ledger (issue 5): how long the ledger job takes for ONE HOUR of a 1,000-GPU
 * fleet in embedded mode (chDB, the real tables, a fresh data directory).
 *
 * Fleet: 125 nodes × 8 H100 (product name of the H100 capture), sampled every 10 s from 1 min before
 * to 1 min after the hour (the job reads that margin to measure the first and last sample spans);
 * per node 5 pods: 4 whole GPUs all hour, 2 whole GPUs from :10, 1 GPU until :40, and two 0.5
 * time-slices of one GPU (one from :30), with their processes in every batch; events through the
 * ingest mapping. Measured: `job.run` for that hour (fetch + compute + write), run --runs times
 * (the first computes, the later ones recompute and replace); then one pass timed step by step.
 *
 * Run: `npx tsx bench/cost-ledger-job.ts [--runs 3]`. Prints the figure last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { GpuSampleBatch, PodEvent } from '../contracts/index.ts';
import { computeCostLedger } from '../pipeline/cost/compute-cost-ledger.ts';
import { createCostLedgerJob } from '../pipeline/cost/cost-ledger-job.ts';
import { DEFAULT_COST_CONFIG } from '../pipeline/cost/cost-config.ts';
import { toGpuNodes } from '../pipeline/cost/gpu-inventory.ts';
import { createLedgerInputs } from '../pipeline/store/ledger-inputs-store.ts';
import { loadPriceCatalog } from '../pipeline/cost/load-price-catalog.ts';
import { toPodIntervals } from '../pipeline/cost/pod-intervals.ts';
import { toUsedGpuSeconds } from '../pipeline/cost/pod-usage.ts';
import { createPriceLookup } from '../pipeline/cost/price-lookup.ts';
import { packGpuSampleBatch } from '../pipeline/ingest/packed-gpu-batch.ts';
import { toGpuProcessRows, toGpuSampleRows, toPodEventRow } from '../pipeline/ingest/to-rows.ts';
import { createChdbExecutor } from '../pipeline/store/chdb-executor.ts';
import { createTelemetryStore } from '../pipeline/store/telemetry-store.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const T = Date.UTC(2026, 10, 2, 10);
const HOUR = 3_600_000;
const MIN = 60_000;
const NODES = 125;
const TICK_MS = 10_000;
const MODEL = 'NVIDIA H100 80GB HBM3';
const seconds = (ms: number) => (ms / 1000).toFixed(2);

interface Pod {
  readonly uid: string;
  readonly gpus: readonly number[];
  readonly request: PodEvent['gpuRequest'];
  readonly from: number;
  readonly to: number;
}
const podsOf = (n: number): Pod[] => [
  { uid: `n${n}-a`, gpus: [0, 1, 2, 3], request: { kind: 'whole', count: 4 }, from: T - HOUR, to: T + 2 * HOUR },
  {
    uid: `n${n}-b`,
    gpus: [4, 5],
    request: { kind: 'whole', count: 2 },
    from: T + 10 * MIN + n * 1000,
    to: T + 2 * HOUR,
  },
  { uid: `n${n}-c`, gpus: [6], request: { kind: 'whole', count: 1 }, from: T - HOUR, to: T + 40 * MIN },
  { uid: `n${n}-d`, gpus: [7], request: { kind: 'fraction', milli: 500 }, from: T - HOUR, to: T + 2 * HOUR },
  { uid: `n${n}-e`, gpus: [7], request: { kind: 'fraction', milli: 500 }, from: T + 30 * MIN, to: T + 2 * HOUR },
];
const gpuUuid = (n: number, g: number) =>
  `GPU-${n.toString(16).padStart(8, '0')}-0000-4000-8000-${g.toString(16).padStart(12, '0')}`;

function batchesOf(n: number): GpuSampleBatch[] {
  const pods = podsOf(n);
  const out: GpuSampleBatch[] = [];
  for (let seq = 0, t = T - MIN; t <= T + HOUR + MIN; seq++, t += TICK_MS) {
    const live = pods.filter((p) => p.from < t && t <= p.to);
    out.push({
      schemaVersion: 1,
      agentId: `agent-${n}`,
      bootId: 'boot-1',
      seq,
      cluster: 'bench',
      node: `node-${n}`,
      collectedAtMs: t,
      source: 'nvidia-smi-csv',
      samples: Array.from({ length: 8 }, (_, g) => ({
        kind: 'gpu',
        gpuUuid: gpuUuid(n, g),
        parentGpuUuid: null,
        mig: null,
        index: g,
        model: MODEL,
        driverVersion: '590.48.01',
        observedAtMs: t,
        utilizationPct: live.some((p) => p.gpus.includes(g)) ? (seq * 7 + g * 13) % 101 : 0,
        memoryUsedBytes: 1 << 30,
        memoryTotalBytes: 85_899_345_920,
        powerWatts: 300,
        powerLimitWatts: 700,
        temperatureC: 50,
        smClockMhz: 1980,
        memClockMhz: 2619,
        throttleReasons: [],
        eccCorrectedTotal: 0,
        eccUncorrectedTotal: 0,
      })),
      processes: live.flatMap((p, i) =>
        p.gpus.map((g) => ({
          gpuUuid: gpuUuid(n, g),
          pid: 100 + i,
          processName: 'python3',
          usedMemoryBytes: 1 << 30,
          podUid: p.uid,
          containerId: `ctr-${p.uid}`,
        })),
      ),
    });
  }
  return out;
}

const podEvents = (n: number): PodEvent[] =>
  podsOf(n).flatMap((p) =>
    (['started', 'finished'] as const)
      .filter((e) => e === 'started' || p.to < T + HOUR)
      .map((event) => ({
        schemaVersion: 1,
        cluster: 'bench',
        node: `node-${n}`,
        podUid: p.uid,
        namespace: `team-${n % 10}`,
        podName: p.uid,
        event,
        atMs: event === 'started' ? p.from : p.to,
        gpuRequest: p.request,
        labels: { team: `team-${n % 10}` },
        owner: { kind: 'Job', name: p.uid },
        gpuUuids: p.gpus.map((g) => gpuUuid(n, g)),
      })),
  );

const dir = mkdtempSync(join(tmpdir(), 'bench-cost-'));
const executor = createChdbExecutor({ dataDir: dir });
const database = 'bench_cost';
const store = createTelemetryStore(executor, { database });
try {
  await store.migrate();
  let samples = 0;
  const loadStart = performance.now();
  for (let n = 0; n < NODES; n++) {
    const batches = batchesOf(n).map(packGpuSampleBatch);
    const rows = batches.flatMap((b) => toGpuSampleRows(b, T));
    samples += rows.length;
    await store.insertGpuSamples(rows);
    await store.insertGpuProcesses(batches.flatMap((b) => toGpuProcessRows(b)));
    await store.insertPodEvents(podEvents(n).map((e) => toPodEventRow(e, T)));
  }
  console.log(
    `fleet: ${NODES * 8} GPUs, ${samples} GPU samples (10 s), ${NODES * 5} pods, loaded in ${seconds(performance.now() - loadStart)} s; ${cpus().length} cores`,
  );

  const catalog = loadPriceCatalog();
  const job = createCostLedgerJob(
    { executor, database, catalog },
    { now: () => T + 3 * HOUR + Math.round(performance.now()), logger: pino({ level: 'warn' }) },
  );
  const runs: number[] = [];
  for (let i = 0; i < Number(args.runs); i++) {
    const t0 = performance.now();
    const r = await job.run({ fromMs: T, untilMs: T + HOUR });
    runs.push(performance.now() - t0);
    console.log(
      `run ${i + 1}: ${seconds(runs[i] ?? 0)} s, ${r.rows} ledger rows, fleet cost $${r.fleetCostUsd.toFixed(2)}, ${r.problems} problem(s)`,
    );
  }

  // One pass step by step (what job.run does, timed).
  const inputs = createLedgerInputs(executor, {
    database,
    maxGapMs: 60_000,
    processSkewMs: 600_000,
    bridgeMs: 3_600_000,
  });
  const window = { fromMs: T, toMs: T + HOUR };
  const step = async <X>(name: string, f: () => Promise<X> | X): Promise<X> => {
    const t0 = performance.now();
    const x = await f();
    console.log(`  ${name}: ${seconds(performance.now() - t0)} s`);
    return x;
  };
  const events = await step('pod events', () => inputs.podEvents(window));
  const gpus = await step('inventory', () => inputs.inventory(window));
  const usage = await step('usage (samples × processes)', () => inputs.usage(window));
  await step('compute (pure)', () => {
    const pods = toPodIntervals(events, { windowStartMs: T, windowEndMs: T + HOUR });
    const { nodes } = toGpuNodes({
      windowStartMs: T,
      windowEndMs: T + HOUR,
      gpus,
      pods,
      pricing: DEFAULT_COST_CONFIG.nodePricing,
      edgeToleranceMs: 300_000,
    });
    const prices = createPriceLookup(catalog);
    return computeCostLedger({
      cluster: 'bench',
      windowStartMs: T,
      windowEndMs: T + HOUR,
      nodes,
      pods,
      usedGpuSecondsByPod: toUsedGpuSeconds(usage, prices).byPod,
      prices,
    });
  });
  const sorted = [...runs].sort((a, b) => a - b);
  console.log(
    `cost ledger job, one hour of a 1,000-GPU fleet on chDB: ${seconds(sorted[Math.floor(sorted.length / 2)] ?? 0)} s median of ${runs.length} runs (${runs.map(seconds).join(', ')} s)`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
