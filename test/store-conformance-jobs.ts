/**
 * Part of the store conformance suite (test/store-conformance.ts calls it): the pipeline's scheduled
 * jobs — rollups, telemetry gaps, retention — give the same, exact results on ClickHouse 18.16 and chDB.
 * Samples are shaped from a real capture (2× RTX A5000, telegraf fixture) and written through the
 * ingest pipeline's own store writers.
 */
import { expect, it } from 'vitest';
import { parseDcgmMetrics } from '../collectors/dcgm/parse-dcgm.ts';
import { parseNvidiaSmiXml } from '../collectors/nvidia-smi/parse-xml.ts';
import type { GpuSampleBatch } from '../contracts/index.ts';
import { packGpuSampleBatch } from '../pipeline/ingest/packed-gpu-batch.ts';
import { createStoreWriters } from '../pipeline/ingest/store-writers.ts';
import { createRollupJob, DEFAULT_ROLLUP_JOB_CONFIG } from '../pipeline/jobs/rollup-job.ts';
import { createTelemetryGapJob, DEFAULT_TELEMETRY_GAP_JOB_CONFIG } from '../pipeline/jobs/telemetry-gap-job.ts';
import { applyRetention } from '../pipeline/retention/retention-job.ts';
import { DEFAULT_RETENTION } from '../pipeline/retention/retention-policy.ts';
import type { SqlExecutor } from '../pipeline/store/executor.ts';
import { readGpuRollups, readPodRollups } from '../pipeline/store/rollup-store.ts';
import { dateTime, ident, raw, sql, str } from '../pipeline/store/sql.ts';
import { readTelemetryGaps } from '../pipeline/store/telemetry-gap-store.ts';
import type { TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { createLedgerInputs } from '../pipeline/store/ledger-inputs-store.ts';
import { readFixture, readH100MigCaptureWithBusyGi7 } from './helpers/fixtures.ts';
import { positionedBatches } from './helpers/positioned.ts';
import { recordProcessRows, recordSampleRows } from './helpers/record-rows.ts';
import { testLogger } from './helpers/services.ts';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0); // 2024-05-01T12:00:00Z
const MIN = 60_000;
const A5000 = parseNvidiaSmiXml(readFixture('nvidia-smi-xml', 'telegraf__2x-rtx-a5000__590.44.01__procs.xml'), T0);
const [GPU_AB, GPU_CD] = ['GPU-12345678-aaaa-bbbb-cccc-0123456789ab', 'GPU-12345678-aaaa-bbbb-cccc-0123456789cd'];
const UTIL_AB = [0, 10, 20, 30, 40, 50, 100];

/** Batch `seq` of one agent: the capture's two GPUs sampled at T0 + (seq - 1) × 10 s, with set utilizations and two pods. */
function a5000Batch(seq: number, bootId = 'boot-1'): GpuSampleBatch {
  const atMs = T0 + (seq - 1) * 10_000;
  return {
    schemaVersion: 1,
    agentId: 'agent-a5000',
    bootId,
    seq,
    cluster: 'c1',
    node: 'n-a5000',
    collectedAtMs: atMs,
    source: 'nvidia-smi-xml',
    samples: A5000.samples.map((s) => ({
      ...s,
      observedAtMs: atMs,
      utilizationPct: s.gpuUuid === GPU_AB ? (UTIL_AB[seq] ?? 0) : 5 * seq,
    })),
    processes: [
      ...A5000.processes.map((p) => ({ ...p, podUid: 'pod-llama', containerId: 'ctr-llama' })),
      {
        gpuUuid: GPU_CD,
        pid: 4242,
        processName: 'python',
        usedMemoryBytes: 1024 ** 3,
        podUid: 'pod-side',
        containerId: 'ctr-side',
      },
    ],
  };
}

const positioned = positionedBatches;

/** One agent's batch `seq` of a real capture, collected at T0 + seq s. */
const captureEnvelope = (
  capture: string,
  seq: number,
  node: string,
  source: GpuSampleBatch['source'],
  parts: Pick<GpuSampleBatch, 'samples' | 'processes'>,
): GpuSampleBatch => ({
  schemaVersion: 1,
  agentId: `agent-${capture.slice(0, 12)}`,
  bootId: 'boot-1',
  seq,
  cluster: 'c1',
  node,
  collectedAtMs: T0 + seq * 1000,
  source,
  ...parts,
});

/** A batch of one real capture (MIG instances, N/A readings, Windows paths, processes) at T0 + seq s. */
function captureBatch(capture: string, seq: number): GpuSampleBatch {
  const parsed = parseNvidiaSmiXml(readFixture('nvidia-smi-xml', capture), T0 + seq * 1000);
  return captureEnvelope(capture, seq, "n'1\\", 'nvidia-smi-xml', {
    samples: parsed.samples,
    processes: parsed.processes.map((p, i) => ({ ...p, podUid: i % 2 === 0 ? `pod-${i}` : null })),
  });
}

/**
 * Batch `seq` (every 10 s from T0) of the real H100 MIG scrape (GIs 7, 8, 9) with GI 7's engine made
 * 42.13 % busy and GI 9's 10 %, and the processes nvidia-smi's process_info would list: a pod on GI 7,
 * a pod on GI 9, and a pod whose instance the source did not say.
 */
function migBatch(seq: number): GpuSampleBatch {
  const text = readH100MigCaptureWithBusyGi7().replace(
    /^(DCGM_FI_PROF_GR_ENGINE_ACTIVE\{[^}]*GPU_I_ID="9"[^}]*\}) 0\.000000$/m,
    '$1 0.100000',
  );
  const samples = parseDcgmMetrics(text, T0 + seq * 10_000).samples;
  const parent = samples.find((x) => x.kind === 'gpu')!.gpuUuid;
  const process = (pid: number, gi: number | null, podUid: string) => ({
    gpuUuid: parent,
    gpuInstanceId: gi,
    computeInstanceId: gi === null ? null : 0,
    pid,
    processName: 'python',
    usedMemoryBytes: null,
    podUid,
    containerId: null,
  });
  return {
    ...captureEnvelope('h100-mig', seq, 'n-mig', 'dcgm', {
      samples,
      processes: [process(101, 7, 'pod-gi7'), process(102, 9, 'pod-gi9'), process(103, null, 'pod-any')],
    }),
    collectedAtMs: T0 + seq * 10_000,
  };
}

/** A batch of one real dcgm-exporter scrape: the optional counters (energy, PCIe, remapped rows, DCP) on GPUs and MIG instances. */
const dcgmBatch = (capture: string, seq: number): GpuSampleBatch =>
  captureEnvelope(capture, seq, 'n-dcgm', 'dcgm', {
    samples: parseDcgmMetrics(readFixture('dcgm', capture), T0 + seq * 1000).samples,
    processes: [],
  });

export function describeStoreJobsConformance(
  executor: () => SqlExecutor,
  freshStore: () => Promise<{ store: TelemetryStore; database: string }>,
): void {
  it('the ingest hot path (insertGpuBatches) writes exactly the rows the records state (generic inserts)', async () => {
    const hot = await freshStore();
    const generic = await freshStore();
    const batches = [
      captureBatch('telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml', 0),
      captureBatch('netdata__rtx-2080-windows__516.59__procs.xml', 1),
      captureBatch('openpai__gt-730__384.111__util-na-partial.xml', 2),
      a5000Batch(3),
      dcgmBatch('kops-aws-L4-580.105.08.prom', 4),
      dcgmBatch('johnsblog-8xA800-mig-2g.20gb-535.129.03.prom', 5),
      migBatch(6),
    ];
    await hot.store.insertGpuBatches(batches.map(packGpuSampleBatch), T0 + 5_000);
    await generic.store.insertGpuSamples(batches.flatMap((b) => recordSampleRows(b, T0 + 5_000)));
    await generic.store.insertGpuProcesses(batches.flatMap(recordProcessRows));
    const dump = (database: string, table: 'gpu_samples' | 'gpu_processes') =>
      executor().query(
        sql`SELECT *, toUInt32(ts) AS ts_s, toString(date) AS day FROM ${ident(database)}.${ident(table)} ORDER BY gpu_uuid, ts_ms, seq${table === 'gpu_processes' ? raw(sql`, pid`) : raw(sql``)}`,
      );
    const samples = await dump(hot.database, 'gpu_samples');
    expect(samples).toHaveLength(batches.reduce((n, b) => n + b.samples.length, 0));
    // The optional counters landed (migration 080), not just nulls: the L4's energy and PCIe TX rate.
    const l4 = samples.find((r) => (r as { source: string; seq: string }).seq === '4');
    expect(l4).toMatchObject({ energy_mj: 4_742_776, pcie_tx_bytes_per_s: 112_603, row_remap_failure: 0 });
    expect(samples).toEqual(await dump(generic.database, 'gpu_samples'));
    const processes = await dump(hot.database, 'gpu_processes');
    expect(processes).toHaveLength(batches.reduce((n, b) => n + b.processes.length, 0));
    expect(processes).toEqual(await dump(generic.database, 'gpu_processes'));
  });

  it('rollups: exact per-device and per-pod values, recomputed for late data, unchanged by a replay', async () => {
    const { store, database } = await freshStore();
    let clock = T0 + 3 * MIN;
    const now = () => clock;
    const writers = createStoreWriters(store, now);
    const job = createRollupJob({ executor: executor(), now }, { ...DEFAULT_ROLLUP_JOB_CONFIG, database });
    const gaps = createTelemetryGapJob(
      { executor: executor(), now },
      { ...DEFAULT_TELEMETRY_GAP_JOB_CONFIG, database },
    );
    const minute = () =>
      readGpuRollups(executor(), { database, resolution: '1m', fromMs: T0 - MIN, toMs: T0 + 2 * MIN });

    await writers.gpuSamples(positioned([0, 1, 2, 3, 5, 6].map((s) => a5000Batch(s))));
    expect(await job.run()).toEqual({ minuteWindows: 3, hourWindows: 1, statements: 2 });
    await gaps.run();
    let rows = await minute();
    expect(rows.map((r) => [r.gpuUuid, r.windowStartMs - T0, r.samples, r.coveredMs])).toEqual([
      [GPU_AB, -MIN, 1, 0],
      [GPU_AB, 0, 5, 60_000],
      [GPU_CD, -MIN, 1, 0],
      [GPU_CD, 0, 5, 60_000],
    ]);
    // seq 4 is missing: seq 5's interval reaches back 20 s to seq 3.
    expect(rows[1]).toMatchObject({
      model: 'NVIDIA RTX A5000',
      kind: 'gpu',
      utilSamples: 5,
      utilAvgPct: 42,
      utilMinPct: 10,
      utilMaxPct: 100,
      utilP95Pct: 100,
      busyPctMs: 2_600_000,
      energyMillijoules: 391_200,
      powerMaxWatts: 6.52,
      memUsedMaxBytes: 23_526_899_712,
      memTotalMaxBytes: 25_757_220_864,
    });
    expect(rows[1]?.powerAvgWatts).toBeCloseTo(6.52, 12);
    expect(
      (await readTelemetryGaps(executor(), database)).map((g) => [g.batches, g.missingBatches, g.missingRanges]),
    ).toEqual([[6, 1, [[4, 4]]]]);

    clock = T0 + 4 * MIN;
    await writers.gpuSamples(positioned([a5000Batch(4)])); // late
    await job.run();
    await gaps.run();
    rows = await minute();
    expect(rows[1]).toMatchObject({
      samples: 6,
      coveredMs: 60_000,
      utilP95Pct: 100,
      busyPctMs: 2_500_000,
      energyMillijoules: 391_200,
    });
    expect(rows[1]?.utilAvgPct).toBeCloseTo(250 / 6, 12);
    expect(rows[3]).toMatchObject({
      samples: 6,
      coveredMs: 60_000,
      utilAvgPct: 17.5,
      utilMaxPct: 30,
      energyMillijoules: 6 * 135_900,
    });
    expect(
      (await readTelemetryGaps(executor(), database)).map((g) => [
        g.firstSeq,
        g.lastSeq,
        g.batches,
        g.missingBatches,
        g.missingRanges,
        g.lastSeenMs,
      ]),
    ).toEqual([[0, 6, 7, 0, [], T0 + 50_000]]);

    const pods = await readPodRollups(executor(), { database, resolution: '1m', fromMs: T0, toMs: T0 + MIN });
    expect(
      pods.map((p) => [p.podUid, p.gpuUuid, p.samples, p.gpuMs, p.gpuMsShared, p.maxPodsSharing, p.podMemMaxBytes]),
    ).toEqual([
      ['pod-llama', GPU_AB, 6, 60_000, 60_000, 1, 23_519_559_680],
      ['pod-llama', GPU_CD, 6, 60_000, 30_000, 2, 18_083_741_696],
      ['pod-side', GPU_CD, 6, 60_000, 30_000, 2, 1024 ** 3],
    ]);
    expect(pods[1]?.energyMillijoulesShared).toBe((6 * 135_900) / 2);

    // The whole stream delivered again, later: no rollup and no total changes.
    clock = T0 + 62 * MIN;
    const before = await minute();
    await writers.gpuSamples(positioned([0, 1, 2, 3, 4, 5, 6].map((s) => a5000Batch(s))));
    await job.run();
    await gaps.run();
    expect(await minute()).toEqual(before);
    expect((await readTelemetryGaps(executor(), database))[0]?.batches).toBe(7);
    const hours = await readGpuRollups(executor(), {
      database,
      resolution: '1h',
      fromMs: T0 - 60 * MIN,
      toMs: T0 + 60 * MIN,
    });
    expect(
      hours.map((h) => [h.gpuUuid, h.windowStartMs - T0, h.samples, h.coveredMs, h.energyMillijoules, h.utilP95Pct]),
    ).toEqual([
      [GPU_AB, -60 * MIN, 1, 0, 0, 0],
      [GPU_AB, 0, 6, 60_000, 391_200, 100],
      [GPU_CD, -60 * MIN, 1, 0, 0, 0],
      [GPU_CD, 0, 6, 60_000, 815_400, 30],
    ]);
    const podsByHour = await readPodRollups(executor(), {
      database,
      resolution: '1h',
      fromMs: T0,
      toMs: T0 + 60 * MIN,
    });
    expect(podsByHour.reduce((n, p) => n + p.gpuMsShared, 0)).toBe(120_000);
  });

  it("MIG: each pod gets its own instance's busy time, in the pod rollups and the ledger's usage", async () => {
    const { store, database } = await freshStore();
    const clock = T0 + 3 * MIN;
    await createStoreWriters(store, () => clock).gpuSamples(positioned([0, 1, 2, 3, 4, 5, 6].map(migBatch)));
    await createRollupJob({ executor: executor(), now: () => clock }, { ...DEFAULT_ROLLUP_JOB_CONFIG, database }).run();
    // Minute [T0, T0 + 1 min): samples at 10 … 50 s cover 10 s each (the one at T0 has no predecessor).
    // GI 7 (42.13 %) is shared by pod-gi7 and pod-any (instance unknown), GI 9 (10 %) by pod-gi9 and
    // pod-any, GI 8 (0 %) by pod-any alone; the parent GPU reports no utilization of its own.
    const busy = new Map<string, number>();
    for (const p of await readPodRollups(executor(), { database, resolution: '1m', fromMs: T0, toMs: T0 + MIN }))
      busy.set(p.podUid, (busy.get(p.podUid) ?? 0) + p.busyPctMsShared);
    const gi7 = 42.13 * 50_000;
    const gi9 = 10 * 50_000;
    expect([...busy.keys()].sort()).toEqual(['pod-any', 'pod-gi7', 'pod-gi9']);
    expect(busy.get('pod-gi7')).toBeCloseTo(gi7 / 2, 0);
    expect(busy.get('pod-gi9')).toBeCloseTo(gi9 / 2, 0);
    expect(busy.get('pod-any')).toBeCloseTo(gi7 / 2 + gi9 / 2, 0);

    const inputs = createLedgerInputs(executor(), { database, maxGapMs: MIN, processSkewMs: 10 * MIN, bridgeMs: MIN });
    const usage = await inputs.usage({ fromMs: T0, toMs: T0 + MIN });
    expect(usage.map((u) => [u.podUid, u.kind, u.migProfile])).toEqual([
      ['pod-any', 'mig', '1g.10gb'],
      ['pod-gi7', 'mig', '1g.10gb'],
      ['pod-gi9', 'mig', '1g.10gb'],
    ]);
    // The ledger clips spans to the window instead: the samples at 10 … 60 s cover (t − 10 s, t], 60 s.
    const used = Object.fromEntries(usage.map((u) => [u.podUid, (u.busyPctMs * 5) / 6]));
    expect(used['pod-gi7']).toBeCloseTo(gi7 / 2, 6);
    expect(used['pod-gi9']).toBeCloseTo(gi9 / 2, 6);
    expect(used['pod-any']).toBeCloseTo(gi7 / 2 + gi9 / 2, 6);
  });

  it('telemetry gaps: missing ranges across seq buckets and boots, replays counted once', async () => {
    const { store, database } = await freshStore();
    const now = () => T0 + 5 * MIN;
    const writers = createStoreWriters(store, now);
    const seqs = [
      ...Array.from({ length: 10 }, (_, i) => i).filter((s) => ![3, 4, 7].includes(s)),
      1020,
      1021,
      1022,
      1026,
      1030,
      5,
    ];
    const batch = (seq: number, bootId: string): GpuSampleBatch => ({
      ...a5000Batch(1, bootId),
      seq,
      collectedAtMs: T0 + seq * 1000,
      processes: [],
    });
    await writers.gpuSamples(
      positioned([...seqs.map((s) => batch(s, 'boot-1')), ...[2, 3].map((s) => batch(s, 'boot-2'))]),
    );
    await createTelemetryGapJob({ executor: executor(), now }, { ...DEFAULT_TELEMETRY_GAP_JOB_CONFIG, database }).run();
    const gaps = await readTelemetryGaps(executor(), database, 'agent-a5000');
    expect(
      gaps.map((g) => [g.bootId, g.firstSeq, g.lastSeq, g.batches, g.missingBatches, g.missingRanges, g.lastSeenMs]),
    ).toEqual([
      ['boot-2', 2, 3, 2, 2, [[0, 1]], T0 + 3_000],
      [
        'boot-1',
        0,
        1030,
        12,
        1019,
        [
          [3, 4],
          [7, 7],
          [10, 1019],
          [1023, 1025],
          [1027, 1029],
        ],
        T0 + 1_030_000,
      ],
    ]);
  });

  it('retention drops whole expired partitions per table class and keeps recent ones (injected clock)', async () => {
    const { store, database } = await freshStore();
    const nowMs = Date.UTC(2024, 4, 15, 10, 30, 0);
    const day = 86_400_000;
    const writers = createStoreWriters(store, () => nowMs);
    const at = (ms: number): GpuSampleBatch => ({
      ...a5000Batch(1),
      seq: Math.floor(ms / 1000),
      collectedAtMs: ms,
      samples: a5000Batch(1).samples.map((s) => ({ ...s, observedAtMs: ms })),
    });
    await writers.gpuSamples(
      positioned([at(nowMs - 20 * day), at(nowMs - 15 * day), at(nowMs - 13 * day), at(nowMs - day)]),
    );
    const db = ident(database);
    for (const [windowMs, table] of [
      [Date.UTC(2023, 2, 10), 'gpu_rollup_1h'],
      [Date.UTC(2023, 4, 10), 'gpu_rollup_1h'],
      [Date.UTC(2024, 3, 1), 'gpu_rollup_1m'],
    ] as const) {
      await executor().command(
        sql`INSERT INTO ${db}.${ident(table)} (window_start, cluster, node, gpu_uuid) VALUES (${dateTime(windowMs)}, 'c1', 'n1', 'GPU-x')`,
      );
    }
    await executor().command(
      sql`CREATE TABLE ${db}.not_ours (d Date) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(d) ORDER BY d`,
    );
    await executor().command(sql`INSERT INTO ${db}.not_ours (d) VALUES ('2020-01-01')`);

    const dropped = await applyRetention(
      { executor: executor(), now: () => nowMs, logger: testLogger('retention') },
      database,
      DEFAULT_RETENTION,
    );
    expect(dropped.filter((d) => d.table === 'gpu_samples' || d.table.startsWith('gpu_rollup'))).toEqual([
      { table: 'gpu_rollup_1h', partitionId: '202303' },
      { table: 'gpu_samples', partitionId: '20240425' },
      { table: 'gpu_samples', partitionId: '20240430' },
    ]);
    const parts = await executor().query<{ table: string; partition_id: string }>(sql`
      SELECT table, partition_id FROM system.parts WHERE database = ${str(database)} AND active
        AND table IN ('gpu_samples', 'gpu_rollup_1h', 'gpu_rollup_1m', 'not_ours', 'ingest_batches')
      GROUP BY table, partition_id ORDER BY table, partition_id`);
    expect(parts.map((p) => `${p.table}/${p.partition_id}`)).toEqual([
      'gpu_rollup_1h/202305',
      'gpu_rollup_1m/202404',
      'gpu_samples/20240502',
      'gpu_samples/20240514',
      'ingest_batches/202405',
      'not_ours/20200101',
    ]);
    expect(
      await applyRetention(
        { executor: executor(), now: () => nowMs, logger: testLogger('retention') },
        database,
        DEFAULT_RETENTION,
      ),
    ).toEqual([]);
  });
}
