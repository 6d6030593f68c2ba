/**
 * Fault tests of the ingest pipeline on a REAL Kafka broker and ClickHouse 18.16 server of the test's
 * own (createPrivateStack), so the shared services are never touched. One fleet (fixture-shaped,
 * 60 nodes × 8 GPUs at 1 Hz) streams through `gpu-ledger pipeline` (a child process) while faults
 * strike; after each, the deduplicated row counts and the GPU-millisecond, energy and busy totals of
 * the recomputed rollups equal the ground truth computed from what was produced, exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildFleet } from '../../bench/ingest-fleet.ts';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { INGEST_TOPICS, Topics, type RecordBus } from '../../contracts/index.ts';
import { createRollupJob, DEFAULT_ROLLUP_JOB_CONFIG } from '../../pipeline/jobs/rollup-job.ts';
import type { ScheduledJob } from '../../pipeline/jobs/scheduled-job.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { createKafkaAdmin } from '../../bus/kafka-admin.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { killAllChildren } from '../helpers/cli-child.ts';
import { createPrivateStack, freePort, type PrivateStack } from '../helpers/private-stack.ts';
import { waitFor } from '../helpers/wait-for.ts';
import {
  groundTruth,
  produceTicks,
  range,
  startPipeline,
  type PipelineProcess,
  type PipelineTarget,
} from './pipeline-harness.ts';

const NODES = 60;
const GPUS = 8;
const MAX_GAP_MS = DEFAULT_ROLLUP_JOB_CONFIG.maxGapMs;
const PIPELINE_ARGS = [
  '--members',
  '2',
  '--batch-delay',
  '100ms',
  '--rollup-interval',
  'off',
  '--gaps-interval',
  'off',
  '--retention-interval',
  'off',
];

describe('pipeline under faults (private Kafka + ClickHouse)', () => {
  let stack: PrivateStack;
  let target: PipelineTarget;
  let store: TelemetryStore;
  let producer: RecordBus;
  let pipeline: PipelineProcess;
  let rollups: ScheduledJob;
  const fleet = buildFleet({
    fixturesDir: fixturePath(),
    nodes: NODES,
    gpusPerNode: GPUS,
    cluster: 'faults',
    runId: 'f1',
  });
  // Two hours back: every 1-minute and 1-hour window of the stream is closed for the rollup job.
  const baseMs = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
  const produced = new Set<number>();

  /** Waits until every produced batch is stored, then checks counts and recomputed totals exactly. */
  async function expectGroundTruth(timeoutMs: number): Promise<void> {
    const truth = groundTruth(fleet, produced, baseMs, MAX_GAP_MS);
    await waitFor(
      `${truth.batches} batches stored`,
      async () => (await store.countRows(StoreTable.ingestBatches).catch(() => -1)) === truth.batches,
      timeoutMs,
      250,
    );
    expect(await store.countRows(StoreTable.gpuSamples)).toBe(truth.samples);
    expect(await store.countRows(StoreTable.gpuProcesses)).toBe(truth.samples);
    await rollups.run();
    const db = ident(target.database);
    for (const table of ['gpu_rollup_1m', 'gpu_rollup_1h'] as const) {
      const [totals] = await store.executor.query<Record<string, string>>(sql`
        SELECT sum(samples) AS samples, sum(covered_ms) AS gpu_ms, sum(energy_mj) AS energy_mj, sum(busy_pct_ms) AS busy
        FROM ${db}.${ident(table)} FINAL`);
      expect(totals, table).toEqual({
        samples: String(truth.samples),
        gpu_ms: String(truth.gpuMs),
        energy_mj: String(truth.energyMj),
        busy: String(truth.busyPctMs),
      });
    }
    const [pods] = await store.executor.query<{ gpu_ms: number; pods: string }>(
      sql`SELECT sum(gpu_ms_shared) AS gpu_ms, uniqExact(pod_uid) AS pods FROM ${db}.pod_rollup_1m FINAL`,
    );
    expect(pods).toEqual({ gpu_ms: truth.gpuMs, pods: String(NODES * GPUS) });
  }

  beforeAll(async () => {
    stack = await createPrivateStack(['kafka', 'clickhouse']);
    const suffix = Date.now().toString(36);
    target = {
      kafkaBrokers: stack.config.endpoints.kafkaBrokers,
      clickhouseUrl: stack.config.endpoints.clickhouseUrl,
      database: `faults_${suffix}`,
      topicPrefix: `faults-${suffix}.`,
    };
    store = createTelemetryStore(
      createClickHouseServerExecutor({ url: target.clickhouseUrl, requestTimeoutMs: 10_000 }),
      { database: target.database },
    );
    await store.migrate();
    rollups = createRollupJob(
      { executor: store.executor, now: Date.now },
      { ...DEFAULT_ROLLUP_JOB_CONFIG, database: target.database },
    );
    producer = createKafkaBus({
      brokers: target.kafkaBrokers,
      clientId: 'faults-producer',
      topicPrefix: target.topicPrefix,
      logger: pino({ level: 'silent' }),
      sendRetries: 2,
    });
    await producer.ensureTopics([...INGEST_TOPICS, Topics.deadLetters], { partitions: 4 });
    pipeline = await startPipeline(target, await freePort(), PIPELINE_ARGS);
  }, 120_000);

  afterAll(async () => {
    try {
      // The shutdown contract (10 s by default), with a margin for a loaded machine; past it the
      // pipeline is SIGKILLed and this hook fails with its last log lines.
      await pipeline?.stop('SIGTERM', 20_000);
    } finally {
      await killAllChildren();
      await producer?.close();
      await store?.close();
      await stack?.close();
    }
  }, 120_000);

  it('consumer killed mid-batch (SIGKILL) and restarted: nothing lost, nothing counted twice', async () => {
    const ticks = range(0, 30);
    ticks.forEach((t) => produced.add(t));
    const producing = produceTicks(producer, fleet, ticks, baseMs, 40);
    await waitFor('the first rows stored', async () => (await store.countRows(StoreTable.gpuSamples)) > 0, 30_000, 20);
    expect(await pipeline.stop('SIGKILL')).toBe('SIGKILL');
    await producing;
    pipeline = await startPipeline(target, pipeline.port, PIPELINE_ARGS);
    await expectGroundTruth(60_000);
  }, 120_000);

  it('Kafka broker restarted while batches flow', async () => {
    const ticks = range(30, 60);
    ticks.forEach((t) => produced.add(t));
    const producing = produceTicks(producer, fleet, ticks, baseMs, 100);
    await new Promise((r) => setTimeout(r, 800));
    await stack.restart('kafka');
    await producing;
    await expectGroundTruth(90_000);
  }, 180_000);

  it('ClickHouse server stopped for 30 s, then started: intake pauses, retries, nothing dead-lettered', async () => {
    const ticks = range(60, 90);
    ticks.forEach((t) => produced.add(t));
    await stack.stop('clickhouse');
    const stoppedAt = Date.now();
    // Everything of this phase arrives while the store is down: the pipeline must hold it, retry, commit nothing.
    await produceTicks(producer, fleet, ticks, baseMs, 50);
    await waitFor(
      'writes retried while ClickHouse is down',
      async () => Number((await pipeline.health())?.['storeRetries']) > 0,
      20_000,
      200,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 30_000 - Date.now())));
    expect((await pipeline.health())?.['ok']).toBe(true);
    await stack.start('clickhouse');
    await expectGroundTruth(60_000);
    const admin = createKafkaAdmin({
      brokers: target.kafkaBrokers,
      clientId: 'faults-admin',
      topicPrefix: target.topicPrefix,
    });
    expect([...(await admin.endOffsets(Topics.deadLetters)).values()]).toEqual([0n, 0n, 0n, 0n]);
    await admin.close();
  }, 180_000);

  it('the same batches produced twice: counts and totals unchanged', async () => {
    const before = Number((await pipeline.health())?.['accepted']);
    await produceTicks(producer, fleet, range(0, 90), baseMs);
    await waitFor(
      'the replay consumed',
      async () => Number((await pipeline.health())?.['accepted']) >= before + 90 * NODES,
      60_000,
      250,
    );
    await expectGroundTruth(10_000);
    const [physical] = await store.executor.query<{ n: string }>(
      sql`SELECT count() AS n FROM ${ident(target.database)}.gpu_samples`,
    );
    expect(Number(physical?.n)).toBeGreaterThanOrEqual(90 * NODES * GPUS); // the copies are there until merged; reads collapse them
  }, 120_000);
});
