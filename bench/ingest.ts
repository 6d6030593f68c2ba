/**
 * Figures for the ingest pipeline (issue 4), on the shared stack (own topic prefix and database):
 *
 *   throughput  a backlog of agent-shaped batches (10,000 GPUs, fixture-shaped samples) is produced
 *               to Kafka first, then the pipeline (consumer group, batching, ClickHouse server) drains
 *               it; samples/s from its first insert to the last record stored, and where the CPU went
 *               (pipeline, ClickHouse, Kafka). In the same run the rows the pipeline writes for those
 *               samples (gpu_samples and gpu_processes) are inserted through clickhouse-client (tcp
 *               port) in every raw format it reads fast — JSONEachRow, TabSeparated, RowBinary,
 *               Native — as the raw baseline, in samples/s; r = pipeline rate / the fastest.
 *   fleet       10,000 GPUs at 1 Hz (1,250 nodes × 8 GPUs, one batch per node per second) for
 *               --seconds, the pipeline running with its scheduled jobs; reports the ingest delay
 *               (record on the bus → rows stored) and the consumer lag in records.
 *
 * Run: `npm run bench:ingest [-- --mode all|throughput|fleet --samples N --seconds S]`.
 * Prints the figures, last `ingest: <n> samples/s, <r> of raw insert` (throughput or all).
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createKafkaBus } from '../bus/kafka-bus.ts';
import { loadConfig } from '../cli/config.ts';
import { INGEST_TOPICS, Topics } from '../contracts/index.ts';
import { createPipelineRuntime } from '../pipeline/ingest/pipeline-runtime.ts';
import { createRollupJob, DEFAULT_ROLLUP_JOB_CONFIG } from '../pipeline/jobs/rollup-job.ts';
import { createClickHouseServerExecutor } from '../pipeline/store/clickhouse-server-executor.ts';
import { encodeGpuProcessBlock, encodeGpuSampleBlock } from '../pipeline/store/gpu-batch-encoder.ts';
import { packGpuSampleBatch } from '../pipeline/store/packed-gpu-batch.ts';
import { ident, sql } from '../pipeline/store/sql.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { createKafkaAdmin } from '../pipeline/telemetry/kafka-admin.ts';
import { createKafkaLagProbe } from '../pipeline/telemetry/kafka-lag-probe.ts';
import { loadStackConfig } from '../stack/config.ts';
import { buildFleet, parseBatch, type FleetNode } from './ingest-fleet.ts';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'all' },
    samples: { type: 'string', default: '3200000' },
    seconds: { type: 'string', default: '60' },
    partitions: { type: 'string', default: '8' },
    members: { type: 'string', default: '2' },
    'batch-rows': { type: 'string', default: '90000' },
    'baseline-rows': { type: 'string', default: '500000' },
    'fetch-bytes': { type: 'string', default: String(8 << 20) },
    'fetch-total-bytes': { type: 'string', default: String(32 << 20) },
  },
});
const config = loadConfig(process.env, process.cwd());
const stack = loadStackConfig(process.env);
const tcpPort = stack.clickhouse.tcpPort;
const quiet = pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'error' });
const runId = Date.now().toString(36);
const NODES = 1250;
const GPUS = 8;
const partitions = Number(args.partitions);
const log = (line: string) => console.log(line);
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`;

/** CPU seconds (user + system) a stack service has used so far; 0 when its pid file or /proc entry is not there. */
function serviceCpuSeconds(pidFile: string): number {
  try {
    const pid = readFileSync(pidFile, 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
const stackCpu = () => ({ clickhouse: serviceCpuSeconds(stack.clickhouse.pidFile), kafka: serviceCpuSeconds(stack.kafka.pidFile) });

interface Env {
  readonly prefix: string;
  readonly database: string;
  readonly store: TelemetryStore;
  readonly fleet: FleetNode[];
  close(): Promise<void>;
}

async function setUp(name: string): Promise<Env> {
  const prefix = `bench-${name}-${runId}.`;
  const database = `bench_${name}_${runId}`;
  const store = createTelemetryStore(createClickHouseServerExecutor({ url: config.clickhouseUrl, requestTimeoutMs: 120_000 }), { database });
  await store.migrate();
  const admin = createKafkaAdmin({ brokers: config.kafkaBrokers, clientId: 'bench-admin', topicPrefix: prefix });
  const fleet = buildFleet({ fixturesDir: config.fixturesDir, nodes: NODES, gpusPerNode: GPUS, cluster: 'bench', runId });
  return {
    prefix, database, store, fleet,
    async close() {
      await store.executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await store.close();
      await admin.deleteTopics([...INGEST_TOPICS, Topics.deadLetters]).catch(() => undefined);
      await admin.close();
    },
  };
}

/**
 * The pipeline's bus: each member takes its share of partitions' batches of a fetch at once (the
 * ingest consumer then inserts a whole fetch together), fetches of up to --fetch-total-bytes.
 */
const pipelineBus = (prefix: string) =>
  createKafkaBus({
    brokers: config.kafkaBrokers, clientId: 'bench-pipeline', topicPrefix: prefix, logger: quiet,
    maxBytesPerPartition: Number(args['fetch-bytes']), maxBytes: Number(args['fetch-total-bytes']), partitionsConsumedConcurrently: batchesPerMember(),
  });
const batchesPerMember = () => Math.max(1, Math.ceil(partitions / Number(args.members)));

// Produce requests of up to 4 MiB: spread over the partitions, each partition's batch stays well under the broker's 1 MiB message.max.bytes.
const producerBus = (prefix: string) => createKafkaBus({ brokers: config.kafkaBrokers, clientId: 'bench-producer', topicPrefix: prefix, logger: quiet, lingerMs: 2, maxBatchRecords: 1000, maxBatchBytes: Math.min(4 << 20, partitions * (512 << 10)) });
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** Times `clickhouse-client --port <tcp> --query <insert>` reading `file`; rows/s. */
function clientInsert(query: string, file: string, rows: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('clickhouse-client', ['--port', String(tcpPort), '--query', query], { stdio: ['pipe', 'ignore', 'inherit'] });
    createReadStream(file).pipe(child.stdin);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(rows / ((performance.now() - started) / 1000)) : reject(new Error(`clickhouse-client exited ${code}`))));
  });
}

async function throughput(): Promise<{ samplesPerS: number; ratio: number }> {
  const env = await setUp('throughput');
  const ticks = Math.ceil(Number(args.samples) / (NODES * GPUS));
  const baseMs = Date.now() - ticks * 1000;
  try {
    const bus = producerBus(env.prefix);
    await bus.ensureTopics([...INGEST_TOPICS, Topics.deadLetters], { partitions });
    const produceStarted = performance.now();
    for (let tick = 0; tick < ticks; tick += 4) {
      await Promise.all([0, 1, 2, 3].filter((k) => tick + k < ticks).map((k) => bus.send(Topics.gpuSamples, env.fleet.map((n) => ({ key: n.node, value: n.render(tick + k, baseMs + (tick + k) * 1000) })))));
    }
    await bus.close();
    const batches = ticks * NODES;
    const samples = batches * GPUS;
    log(`throughput: produced ${batches} batches (${samples} samples, ${NODES * GPUS} GPUs × ${ticks} ticks) to ${partitions} partitions in ${((performance.now() - produceStarted) / 1000).toFixed(1)} s`);

    let firstInsertAt = 0;
    const inserts = { count: 0, rows: 0, ms: 0 };
    // Records stored, by position: a record redelivered (a handler that gave up waiting) counts once.
    const storedPositions = new Set<string>();
    const runtime = createPipelineRuntime(
      {
        bus: pipelineBus(env.prefix),
        store: env.store, logger: quiet, now: Date.now,
        observer: {
          inserted: (e) => {
            firstInsertAt ||= performance.now() - e.durationMs;
            inserts.count += 1;
            inserts.rows += e.rows;
            inserts.ms += e.durationMs;
          },
          stored: (records) => records.forEach((r) => storedPositions.add(`${r.partition}/${r.offset}`)),
          deadLettered: () => undefined, storeRetry: () => undefined,
        },
      },
      { groupId: `bench-${runId}`, ingest: { members: Number(args.members), batchesPerMember: batchesPerMember(), maxBatchRows: Number(args['batch-rows']), partitions }, rollups: null, telemetryGaps: null, retention: null },
    );
    const cpu0 = process.cpuUsage();
    const stack0 = stackCpu();
    const elu0 = performance.eventLoopUtilization();
    await runtime.start();
    while (storedPositions.size < batches) await new Promise((r) => setTimeout(r, 50));
    const seconds = (performance.now() - firstInsertAt) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const stack1 = stackCpu();
    const elu = performance.eventLoopUtilization(elu0);
    await runtime.close();
    const samplesPerS = samples / seconds;
    const stored = await env.store.countRows(StoreTable.gpuSamples);
    if (seconds < 60) log(`throughput: WARNING the drain took ${seconds.toFixed(1)} s, under 60 s: raise --samples`);
    log(`throughput: ${inserts.count} flushes of ${Math.round(inserts.rows / inserts.count)} rows (samples, processes, ledger) on average, ${Math.round(inserts.ms / inserts.count)} ms each`);
    const cpuSeconds = { pipeline: (cpu.user + cpu.system) / 1e6, clickhouse: stack1.clickhouse - stack0.clickhouse, kafka: stack1.kafka - stack0.kafka };
    const split = Object.entries(cpuSeconds).map(([name, s]) => `${name} ${(s / seconds).toFixed(2)} cores (${((s * 1e6) / samples).toFixed(1)} µs/sample)`).join(', ');
    log(`throughput: pipeline stored ${stored} samples (expected ${samples}) in ${seconds.toFixed(1)} s: ${Math.round(samplesPerS)} samples/s; CPU during the drain: ${split}; pipeline event loop busy ${(elu.utilization * 100).toFixed(0)}%; ${load()}`);
    if (stored !== samples) throw new Error(`row count mismatch: ${stored} stored, ${samples} produced`);

    const rollup = createRollupJob({ executor: env.store.executor, now: () => baseMs + ticks * 1000 + 180_000 }, { ...DEFAULT_ROLLUP_JOB_CONFIG, database: env.database });
    const rollupStarted = performance.now();
    const counts = await rollup.run();
    log(`throughput: one rollup run over the whole backlog (${counts['minuteWindows']} minute and ${counts['hourWindows']} hour windows) took ${((performance.now() - rollupStarted) / 1000).toFixed(1)} s`);

    const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
    try {
      // The baseline: the rows the pipeline writes for these samples — gpu_samples and gpu_processes
      // (the pipeline also writes a batch-ledger row per batch and change marks, left out here) —
      // staged once, exported by clickhouse-client in each format, then timed on their way back in.
      const baselineTicks = Math.max(1, Math.floor(Number(args['baseline-rows']) / (NODES * GPUS)));
      const baselineSamples = baselineTicks * NODES * GPUS;
      const packed = Array.from({ length: baselineTicks }, (_, t) => env.fleet.map((n) => packGpuSampleBatch(parseBatch(n.render(t, baseMs + t * 1000))))).flat();
      const db = ident(env.database);
      const TABLES = [
        { table: 'gpu_samples', block: encodeGpuSampleBlock(packed, Date.now()) },
        { table: 'gpu_processes', block: encodeGpuProcessBlock(packed) },
      ];
      for (const { table, block } of TABLES) {
        await env.store.executor.command(sql`CREATE TABLE ${db}.${ident(`src_${table}`)} AS ${db}.${ident(table)}`);
        await env.store.executor.insertNative!(`${env.database}.src_${table}`, block);
      }
      const formats = ['JSONEachRow', 'TabSeparated', 'RowBinary', 'Native'] as const;
      const rates = new Map<(typeof formats)[number], number>();
      const samplesOnly = new Map<(typeof formats)[number], number>();
      let rawCpu = 0;
      let rawRows = 0;
      for (const format of formats) {
        let seconds = 0;
        for (const { table, block } of TABLES) {
          const target = `raw_${table}_${format.toLowerCase()}`;
          const file = join(dir, `${table}.${format}`);
          await env.store.executor.command(sql`CREATE TABLE ${db}.${ident(target)} AS ${db}.${ident(table)}`);
          await new Promise<void>((resolve, reject) => {
            const out = spawn('sh', ['-c', `clickhouse-client --port ${tcpPort} --query "SELECT * FROM ${env.database}.src_${table} FORMAT ${format}" > ${file}`], { stdio: 'inherit' });
            out.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`export exited ${code}`))));
          });
          const before = stackCpu().clickhouse;
          const rowsPerS = await clientInsert(`INSERT INTO ${env.database}.${target} FORMAT ${format}`, file, block.rows);
          rawCpu += stackCpu().clickhouse - before;
          rawRows += block.rows;
          seconds += block.rows / rowsPerS;
          if (table === 'gpu_samples') samplesOnly.set(format, rowsPerS);
        }
        rates.set(format, baselineSamples / seconds);
      }
      const [fastest, raw] = [...rates].reduce((best, r) => (r[1] > best[1] ? r : best));
      log(`throughput: raw insert through clickhouse-client of the rows of ${baselineSamples} samples (${TABLES.map((t) => `${t.block.rows} ${t.table}`).join(', ')}), in samples/s: ${[...rates].map(([f, r]) => `${f} ${Math.round(r)}`).join(', ')}; ClickHouse ${((rawCpu * 1e6) / rawRows).toFixed(1)} µs CPU per row; ${load()}`);
      log(`throughput: fastest raw format ${fastest}; gpu_samples rows alone (the earlier baseline): ${[...samplesOnly].map(([f, r]) => `${f} ${Math.round(r)} rows/s`).join(', ')}, ratio to Native ${(samplesPerS / samplesOnly.get('Native')!).toFixed(2)}, to TabSeparated ${(samplesPerS / samplesOnly.get('TabSeparated')!).toFixed(2)}`);
      return { samplesPerS, ratio: samplesPerS / raw };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await env.close();
  }
}

async function fleetLag(): Promise<void> {
  const env = await setUp('fleet');
  const seconds = Number(args.seconds);
  try {
    const bus = producerBus(env.prefix);
    await bus.ensureTopics([...INGEST_TOPICS, Topics.deadLetters], { partitions });
    const delays: number[] = [];
    const groupId = `bench-fleet-${runId}`;
    const probe = createKafkaLagProbe({ brokers: config.kafkaBrokers, clientId: 'bench-lag', groupId, topics: [Topics.gpuSamples], topicPrefix: env.prefix });
    const runtime = createPipelineRuntime(
      {
        bus: pipelineBus(env.prefix),
        store: env.store, logger: quiet, now: Date.now,
        observer: { inserted: () => undefined, stored: (records, nowMs) => records.forEach((r) => delays.push(nowMs - r.timestampMs)), deadLettered: () => undefined, storeRetry: () => undefined },
      },
      { groupId, ingest: { members: Number(args.members), batchesPerMember: batchesPerMember(), partitions }, retention: null },
    );
    await runtime.start();
    const lagSamples: number[] = [];
    const started = Date.now();
    let produced = 0;
    // 10 slices per second: each node sends one batch per second, spread evenly.
    for (let slot = 0; Date.now() - started < seconds * 1000; slot++) {
      const tick = Math.floor(slot / 10);
      const slice = env.fleet.slice((slot % 10) * (NODES / 10), ((slot % 10) + 1) * (NODES / 10));
      await bus.send(Topics.gpuSamples, slice.map((n) => ({ key: n.node, value: n.render(tick, Date.now()) })));
      produced += slice.length;
      if (slot % 10 === 9) lagSamples.push((await probe.read()).reduce((sum, l) => sum + l.lagRecords, 0));
      await new Promise((r) => setTimeout(r, Math.max(0, started + (slot + 1) * 100 - Date.now())));
    }
    const deadline = Date.now() + 60_000;
    while (runtime.ingest.stats.accepted < produced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await runtime.close();
    await probe.close();
    await bus.close();
    const sorted = [...delays].sort((a, b) => a - b);
    const lastTen = lagSamples.slice(-10);
    log(`fleet: ${NODES * GPUS} GPUs at 1 Hz for ${seconds} s: ${produced} batches produced, ${runtime.ingest.stats.accepted} stored`);
    log(`fleet: ingest delay (bus → stored) p50 ${(percentile(sorted, 0.5) / 1000).toFixed(2)} s, p99 ${(percentile(sorted, 0.99) / 1000).toFixed(2)} s, max ${((sorted[sorted.length - 1] ?? 0) / 1000).toFixed(2)} s; ${load()}`);
    log(`fleet lag: max ${Math.max(0, ...lagSamples)} records (${(Math.max(0, ...lagSamples) / NODES).toFixed(2)} s of production), last 10 s ${Math.min(...lastTen)}..${Math.max(...lastTen)} records; bounded under 5 s: ${percentile(sorted, 0.99) < 5000 ? 'yes' : 'no'}`);
  } finally {
    await env.close();
  }
}

const mode = args.mode;
if (mode !== 'all' && mode !== 'throughput' && mode !== 'fleet') throw new Error(`--mode must be all, throughput or fleet, got ${mode}`);
if (mode === 'all' || mode === 'fleet') await fleetLag();
if (mode === 'all' || mode === 'throughput') {
  const { samplesPerS, ratio } = await throughput();
  log(`ingest: ${Math.round(samplesPerS)} samples/s, ${ratio.toFixed(2)} of raw insert`);
}
