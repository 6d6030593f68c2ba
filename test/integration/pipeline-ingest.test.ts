/**
 * The ingest pipeline on the shared Kafka and ClickHouse server (own topic prefix and database):
 * a consumer group of two members over four partitions, batches accumulated across bus batches,
 * the three ingest topics stored, dead letters by reason (decode, validation, store-refused,
 * isolated from the good records of the same flush), replays collapsed, self-metrics on /metrics.
 */
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../bench/ingest-fleet.ts';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import type {
  DeadLetter,
  DeliveredRecord,
  GpuSampleBatch,
  ModelServerSample,
  PodEvent,
  RecordBus,
} from '../../contracts/index.ts';
import { INGEST_TOPICS, Topics } from '../../contracts/index.ts';
import { createPipelineRuntime, type PipelineRuntime } from '../../pipeline/runtime.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { createKafkaLagProbe } from '../../pipeline/self-metrics/kafka-lag-probe.ts';
import { createMetricsServer, type MetricsServer } from '../../pipeline/self-metrics/metrics-server.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

const services = loadTestServices(process.env);
const NOW = Date.now();
const fleet = buildFleet({ fixturesDir: fixturePath(), nodes: 25, gpusPerNode: 8, cluster: 'it', runId: 'ingest' });

const podEvent = (event: PodEvent['event'], atMs: number): PodEvent => ({
  schemaVersion: 1,
  cluster: 'it',
  node: fleet[0]!.node,
  podUid: 'pod-00000000-0',
  namespace: 'ml',
  podName: 'trainer-0',
  event,
  atMs,
  gpuRequest: { kind: 'whole', count: 1 },
  labels: { tenant: 'acme', team: 'vision' },
  owner: { kind: 'Job', name: 'trainer' },
  gpuUuids: [],
});
// Deltas as the agent derives them from the vLLM capture (Qwen2.5-0.5B on an L4).
const modelSample = (observedAtMs: number): ModelServerSample => ({
  schemaVersion: 1,
  agentId: fleet[0]!.agentId,
  cluster: 'it',
  node: fleet[0]!.node,
  server: 'vllm',
  model: 'Qwen/Qwen2.5-0.5B-Instruct',
  podUid: 'pod-00000000-0',
  observedAtMs,
  windowMs: 15_000,
  requestsDelta: 3,
  promptTokensDelta: 96,
  generationTokensDelta: 480,
  latencyMsSum: 912.5,
  latencyCount: 3,
  queueDepth: 0,
  kvCacheUsagePct: 1.5,
});

describe('ingest pipeline (shared Kafka + ClickHouse)', () => {
  const prefix = `${uniqueName('ingest')}.`;
  const database = uniqueName('ingest_db');
  const bus = { deliveries: 0 };
  let producer: RecordBus;
  let store: TelemetryStore;
  let runtime: PipelineRuntime;
  let server: MetricsServer;
  let port: number;
  const inserts: number[] = [];
  const letters: DeadLetter[] = [];
  let stopLetters: () => Promise<void>;

  beforeAll(async () => {
    producer = createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'it-producer',
      topicPrefix: prefix,
      logger: testLogger('kafka'),
    });
    await producer.ensureTopics([...INGEST_TOPICS, Topics.deadLetters], { partitions: 4 });
    store = createTelemetryStore(
      createClickHouseServerExecutor({ url: services.clickhouseUrl, requestTimeoutMs: 30_000 }),
      { database },
    );
    await store.migrate();
    const consumerBus = createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'it-pipeline',
      topicPrefix: prefix,
      logger: testLogger('kafka'),
    });
    // The real bus, with each delivered batch counted: to show that inserts span several of them.
    const counted: RecordBus = {
      ...consumerBus,
      subscribe: (o) =>
        consumerBus.subscribe({
          ...o,
          handleBatch: async (b) => {
            bus.deliveries += 1;
            await o.handleBatch(b);
          },
        }),
    };
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const groupId = uniqueName('ingest-group');
    runtime = createPipelineRuntime(
      {
        bus: counted,
        store,
        logger: testLogger('pipeline'),
        now: Date.now,
        meter: new MeterProvider({ readers: [exporter] }).getMeter('it'),
        lagProbe: createKafkaLagProbe({
          brokers: services.kafkaBrokers,
          clientId: 'it-lag',
          groupId,
          topics: INGEST_TOPICS,
          topicPrefix: prefix,
        }),
        observer: {
          inserted: (e) => void (e.topic === Topics.gpuSamples && inserts.push(e.records)),
          stored: () => undefined,
          deadLettered: () => undefined,
          storeRetry: () => undefined,
        },
      },
      {
        groupId,
        ingest: { members: 2, maxBatchDelayMs: 400, maxBatchRows: 100_000 },
        rollups: null,
        telemetryGaps: null,
        retention: null,
      },
    );
    server = createMetricsServer(exporter, () => ({
      ok: runtime.ingest.running,
      ...runtime.ingest.stats,
      deadLettersByReason: Object.fromEntries(runtime.ingest.stats.deadLettersByReason),
    }));
    port = await server.listen(0, '127.0.0.1');
    const reader = await producer.subscribe({
      groupId: uniqueName('dl-reader'),
      topics: [Topics.deadLetters],
      handleBatch: async (b) =>
        void letters.push(...b.records.map((r: DeliveredRecord) => JSON.parse(r.value) as DeadLetter)),
    });
    stopLetters = () => reader.close();
    await runtime.start();
  }, 120_000);

  afterAll(async () => {
    await stopLetters?.();
    await runtime?.close();
    await server?.close();
    await store?.executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
    await store?.close();
    await producer?.close();
  }, 60_000);

  it('stores the three ingest topics, batching across bus batches and members', async () => {
    for (let tick = 0; tick < 8; tick++) {
      await producer.send(
        Topics.gpuSamples,
        fleet.map((n) => ({ key: n.node, value: n.render(tick, NOW - 60_000 + tick * 1000) })),
      );
    }
    await producer.send(
      Topics.podEvents,
      [podEvent('scheduled', NOW - 60_000), podEvent('started', NOW - 59_000)].map((e) => ({
        key: e.podUid,
        value: JSON.stringify(e),
      })),
    );
    await producer.send(
      Topics.modelServerSamples,
      [modelSample(NOW - 45_000), modelSample(NOW - 30_000)].map((m) => ({ key: m.node, value: JSON.stringify(m) })),
    );
    await waitFor('204 records stored', () => runtime.ingest.stats.accepted >= 204, 60_000);
    expect(await store.countRows(StoreTable.gpuSamples)).toBe(8 * 25 * 8);
    expect(await store.countRows(StoreTable.gpuProcesses)).toBe(8 * 25 * 8);
    expect(await store.countRows(StoreTable.ingestBatches)).toBe(200);
    expect(await store.countRows(StoreTable.podEvents)).toBe(2);
    expect(await store.countRows(StoreTable.modelServerSamples)).toBe(2);
    // 200 GPU batches reached the handlers in several bus batches; they were inserted in fewer, larger inserts.
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(200);
    expect(inserts.length).toBeLessThan(bus.deliveries);
    const [pod] = await store.executor.query<Record<string, unknown>>(sql`
      SELECT gpu_request_kind, gpu_request_count, label_keys, label_values, owner_kind FROM ${ident(database)}.pod_events FINAL WHERE event = 'started'`);
    expect(pod).toEqual({
      gpu_request_kind: 'whole',
      gpu_request_count: 1,
      label_keys: ['team', 'tenant'],
      label_values: ['vision', 'acme'],
      owner_kind: 'Job',
    });
  }, 90_000);

  it('dead-letters undecodable, invalid and store-refused records with reason and position; their neighbours land', async () => {
    const good = fleet.slice(0, 3).map((n) => ({ key: n.node, value: n.render(20, NOW - 30_000) }));
    const future = fleet[3]!.render(21, NOW + 3 * 86_400_000);
    const base = JSON.parse(fleet[4]!.render(22, NOW - 30_000)) as GpuSampleBatch;
    // Every value the contract accepts fits the tables, so the server is given a reason to refuse one
    // row: a column that throws for GPU index 4242 (ClickHouse 18.16 has no CHECK constraints).
    await store.executor.command(
      sql`ALTER TABLE ${ident(database)}.gpu_samples ADD COLUMN refuse_gpu_index_4242 UInt8 MATERIALIZED throwIf(gpu_index = 4242)`,
    );
    const refusedIndex = JSON.stringify({ ...base, samples: [{ ...base.samples[0], index: 4242 }] });
    const before = runtime.ingest.stats.accepted;
    await producer.send(Topics.gpuSamples, [
      ...good,
      { key: 'x', value: '{"schemaVersion":1,' },
      { key: 'x', value: future },
      { key: 'x', value: refusedIndex },
    ]);
    await waitFor('3 dead letters', () => letters.length >= 3, 60_000);
    await waitFor('3 good batches stored', () => runtime.ingest.stats.accepted >= before + 3, 30_000);
    const byCategory = Object.fromEntries(runtime.ingest.stats.deadLettersByReason);
    expect(byCategory).toEqual({ 'invalid-json': 1, 'invalid:samples[].observedAtMs': 1, 'store-rejected': 1 });
    const refused = letters.find((l) => l.reason.startsWith('store rejected: '));
    expect(refused?.reason).toMatch(/throwIf/);
    expect(refused?.payload).toBe(refusedIndex);
    for (const l of letters) {
      expect(l.sourceTopic).toBe(Topics.gpuSamples);
      expect(l.offset).toMatch(/^\d+$/);
      expect(l.partition).toBeGreaterThanOrEqual(0);
    }
    expect(await store.countRows(StoreTable.ingestBatches)).toBe(203);
  }, 90_000);

  it('collapses a replay of every batch: no count changes', async () => {
    const before = runtime.ingest.stats.accepted;
    for (let tick = 0; tick < 8; tick++) {
      await producer.send(
        Topics.gpuSamples,
        fleet.map((n) => ({ key: n.node, value: n.render(tick, NOW - 60_000 + tick * 1000) })),
      );
    }
    await producer.send(
      Topics.podEvents,
      [podEvent('scheduled', NOW - 60_000)].map((e) => ({ key: e.podUid, value: JSON.stringify(e) })),
    );
    await waitFor('the replay consumed', () => runtime.ingest.stats.accepted >= before + 201, 60_000);
    expect(await store.countRows(StoreTable.gpuSamples)).toBe(8 * 25 * 8 + 24);
    expect(await store.countRows(StoreTable.ingestBatches)).toBe(203);
    expect(await store.countRows(StoreTable.podEvents)).toBe(2);
  }, 90_000);

  it('serves its self-metrics on /metrics and its health on /healthz', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      ok: true,
      deadLetters: 3,
      deadLettersByReason: { 'invalid-json': 1, 'store-rejected': 1 },
    });
    await waitFor(
      'consumer lag 0 on every partition',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const lags = [
          ...text.matchAll(
            /^gpu_ledger_pipeline_consumer_lag_records\{[^}]*topic="telemetry\.gpu-samples\.v1"[^}]*\} (\d+)/gm,
          ),
        ].map((m) => Number(m[1]));
        return lags.length === 4 && lags.every((l) => l === 0);
      },
      30_000,
      500,
    );
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^gpu_ledger_pipeline_dead_letters_total\{reason="invalid-json",[^}]*\} 1$/m);
    expect(text).toMatch(/^gpu_ledger_pipeline_dead_letters_total\{reason="store-rejected",[^}]*\} 1$/m);
    const rows = /^gpu_ledger_pipeline_rows_inserted_total\{topic="telemetry\.gpu-samples\.v1",[^}]*\} (\d+)/m.exec(
      text,
    );
    expect(Number(rows?.[1])).toBeGreaterThanOrEqual(2 * 8 * 25 * 17 + 3 * 17); // samples + processes + ledger rows, the replay included
    expect(text).toMatch(/^gpu_ledger_pipeline_insert_duration_seconds_count\{topic="telemetry\.gpu-samples\.v1",/m);
    expect(text).toMatch(/^gpu_ledger_pipeline_insert_rows_bucket\{/m);
    expect(text).toMatch(/^# TYPE gpu_ledger_pipeline_rows_per_second gauge$/m);
    expect(text).toMatch(/^gpu_ledger_pipeline_ingest_delay_seconds_count\{/m);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  }, 60_000);
});
