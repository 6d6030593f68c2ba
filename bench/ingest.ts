/**
 * Figures for the ingest pipeline (issue 4), on the shared stack (own topic prefix and database):
 *
 *   throughput  a backlog of agent-shaped batches (10,000 GPUs, fixture-shaped samples) is produced
 *               to Kafka first, then the pipeline (consumer group, batching, ClickHouse server) drains
 *               it; samples/s from its first insert to the last record stored, and where the CPU went
 *               (pipeline, ClickHouse, Kafka). In the same run the rows the pipeline writes for those
 *               samples (gpu_samples and gpu_processes) are inserted through clickhouse-client (tcp
 *               port) in every raw format it reads fast — JSONEachRow, TabSeparated, RowBinary,
 *               Native — as the raw baseline, in samples/s; r = pipeline rate / the fastest. Then the
 *               store alone at 100,000 samples/s for --store-seconds (flushes of the pipeline's size,
 *               nothing else running): ClickHouse's CPU per sample, merges included, and the CPU
 *               budget of a sample on this machine that follows from it.
 *   fleet       10,000 GPUs at 1 Hz (1,250 nodes × 8 GPUs, one batch per node per second) for
 *               --seconds, the pipeline running with its scheduled jobs; reports the ingest delay
 *               (record on the bus → rows stored) and the consumer lag in records.
 *
 * Run: `npm run bench:ingest [-- --mode all|throughput|fleet --samples N --seconds S --processes P --members M --drain-only]`.
 * Prints the figures, last `ingest: <n> samples/s, <r> of raw insert` (throughput or all).
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fork, spawn } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { batchedFetch } from '../bus/batched-fetch.ts';
import { createKafkaBus } from '../bus/kafka-bus.ts';
import { loadConfig } from '../cli/config.ts';
import { INGEST_TOPICS, Topics } from '../contracts/index.ts';
import type { IngestObserver } from '../pipeline/ingest/ingest-observer.ts';
import { createPipelineRuntime, type PipelineRuntime } from '../pipeline/runtime.ts';
import { createRollupJob, DEFAULT_ROLLUP_JOB_CONFIG } from '../pipeline/jobs/rollup-job.ts';
import { createClickHouseServerExecutor } from '../pipeline/store/clickhouse-server-executor.ts';
import { encodeGpuProcessBlock, encodeGpuSampleBlock } from '../pipeline/store/gpu-batch-encoder.ts';
import { packGpuSampleBatch } from '../pipeline/ingest/packed-gpu-batch.ts';
import { commaJoin, ident, raw, sql, uint } from '../pipeline/store/sql.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { createKafkaAdmin } from '../bus/kafka-admin.ts';
import { createKafkaLagProbe } from '../pipeline/self-metrics/kafka-lag-probe.ts';
import { loadStackConfig } from '../stack/config.ts';
import { buildFleet, parseBatch, type FleetNode } from './ingest-fleet.ts';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'all' },
    samples: { type: 'string', default: '4000000' },
    seconds: { type: 'string', default: '60' },
    partitions: { type: 'string', default: '8' },
    members: { type: 'string', default: '1' },
    'batch-rows': { type: 'string', default: '200000' }, // `gpu-ledger pipeline`'s default
    'baseline-rows': { type: 'string', default: '500000' },
    'store-seconds': { type: 'string', default: '60' },
    'fetch-wait': { type: 'string', default: '1000' }, // ms, `gpu-ledger pipeline --fetch-wait`'s default
    // Drain only: no rollup run and no raw baseline (for profiling the pipeline; prints no `ingest:` line).
    'drain-only': { type: 'boolean', default: false },
    // Pipeline processes draining the backlog together (each with --members members): scale-out by partitions.
    processes: { type: 'string', default: '2' },
    // Internal: a pipeline process started by the bench (--processes > 1).
    role: { type: 'string', default: 'bench' },
    prefix: { type: 'string', default: '' },
    database: { type: 'string', default: '' },
    group: { type: 'string', default: '' },
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
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;

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
const stackCpu = () => ({
  clickhouse: serviceCpuSeconds(stack.clickhouse.pidFile),
  kafka: serviceCpuSeconds(stack.kafka.pidFile),
});

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
  const store = createTelemetryStore(
    createClickHouseServerExecutor({ url: config.clickhouseUrl, requestTimeoutMs: 120_000 }),
    { database },
  );
  await store.migrate();
  const admin = createKafkaAdmin({ brokers: config.kafkaBrokers, clientId: 'bench-admin', topicPrefix: prefix });
  const fleet = buildFleet({
    fixturesDir: config.fixturesDir,
    nodes: NODES,
    gpusPerNode: GPUS,
    cluster: 'bench',
    runId,
  });
  return {
    prefix,
    database,
    store,
    fleet,
    async close() {
      await store.executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await store.close();
      await admin.deleteTopics([...INGEST_TOPICS, Topics.deadLetters]).catch(() => undefined);
      await admin.close();
    },
  };
}

/**
 * The pipeline's bus, fetching as `gpu-ledger pipeline` does (bus/batched-fetch.ts): each process's
 * members share its part of the partitions and hand each whole fetch over at once.
 */
const processes = Number(args.processes);
const pipelineFetch = batchedFetch({
  members: Number(args.members),
  partitions: Math.ceil(partitions / processes),
  waitMs: Number(args['fetch-wait']),
});
const pipelineBus = (prefix: string) =>
  createKafkaBus({
    brokers: config.kafkaBrokers,
    clientId: 'bench-pipeline',
    topicPrefix: prefix,
    logger: quiet,
    ...pipelineFetch.bus,
  });

// Produce requests of up to 4 MiB: spread over the partitions, each partition's batch stays well under the broker's 1 MiB message.max.bytes.
const producerBus = (prefix: string) =>
  createKafkaBus({
    brokers: config.kafkaBrokers,
    clientId: 'bench-producer',
    topicPrefix: prefix,
    logger: quiet,
    lingerMs: 2,
    maxBatchRecords: 1000,
    maxBatchBytes: Math.min(4 << 20, partitions * (512 << 10)),
  });

/** The pipeline of the throughput drain: its group id, tuned for a backlog (rollups and other jobs off). */
const drainRuntime = (prefix: string, store: TelemetryStore, groupId: string, observer: IngestObserver) =>
  createPipelineRuntime(
    { bus: pipelineBus(prefix), store, logger: quiet, now: Date.now, observer },
    {
      groupId,
      ingest: {
        members: Number(args.members),
        batchesPerMember: pipelineFetch.batchesPerMember,
        maxBatchRows: Number(args['batch-rows']),
        partitions,
      },
      rollups: null,
      telemetryGaps: null,
      retention: null,
    },
  );

/** A pipeline process's CPU seconds and event-loop utilization while it ran. */
interface Usage {
  readonly cpuSeconds: number;
  readonly eventLoopBusy: number;
}

/** Starts a drain runtime, runs it until `until` resolves, closes it; this process's usage meanwhile. */
async function runMeasured(runtime: PipelineRuntime, until: () => Promise<void>): Promise<Usage> {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  await runtime.start();
  await until();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  await runtime.close();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, eventLoopBusy: elu.utilization };
}

/** What a pipeline process tells the bench (--processes > 1) over IPC. */
type MemberMessage =
  | { readonly kind: 'inserted'; readonly startedAt: number; readonly rows: number; readonly ms: number }
  | { readonly kind: 'stored'; readonly positions: readonly string[]; readonly at: number }
  | ({ readonly kind: 'closed' } & Usage);

interface Drained {
  /** Epoch ms of the first insert's start and of the last record stored. */
  readonly firstInsertAt: number;
  readonly lastStoredAt: number;
  readonly inserts: { count: number; rows: number; ms: number };
  /** Pipeline CPU (all processes) from start to the last record stored. */
  readonly cpuSeconds: number;
  readonly eventLoopBusy: readonly number[];
}

/** Runs the pipeline (here, or in --processes child processes) until every one of `batches` records is stored. */
async function drain(env: Env, batches: number): Promise<Drained> {
  const inserts = { count: 0, rows: 0, ms: 0 };
  let firstInsertAt = 0;
  let lastStoredAt = 0;
  // Records stored, by position: a record redelivered (a handler that gave up waiting) counts once.
  const stored = new Set<string>();
  const onMessage = (m: MemberMessage) => {
    if (m.kind === 'inserted') {
      firstInsertAt = firstInsertAt === 0 ? m.startedAt : Math.min(firstInsertAt, m.startedAt);
      inserts.count += 1;
      inserts.rows += m.rows;
      inserts.ms += m.ms;
    } else if (m.kind === 'stored') {
      m.positions.forEach((p) => stored.add(p));
      lastStoredAt = Math.max(lastStoredAt, m.at);
    }
  };
  const allStored = async () => {
    while (stored.size < batches) await new Promise((r) => setTimeout(r, 50));
  };
  const groupId = `bench-${runId}`;
  if (processes === 1) {
    const usage = await runMeasured(drainRuntime(env.prefix, env.store, groupId, memberObserver(onMessage)), allStored);
    return { firstInsertAt, lastStoredAt, inserts, cpuSeconds: usage.cpuSeconds, eventLoopBusy: [usage.eventLoopBusy] };
  }
  const children = Array.from({ length: processes }, () =>
    fork(process.argv[1]!, [
      '--role',
      'member',
      '--prefix',
      env.prefix,
      '--database',
      env.database,
      '--group',
      groupId,
      '--members',
      args.members,
      '--partitions',
      String(partitions),
      '--batch-rows',
      args['batch-rows'],
      '--fetch-wait',
      args['fetch-wait'],
      '--processes',
      String(processes),
    ]),
  );
  const closed = children.map(
    (child) =>
      new Promise<Usage>((resolve, reject) => {
        child.on('message', (m: MemberMessage) => (m.kind === 'closed' ? resolve(m) : onMessage(m)));
        child.on('exit', (code) => reject(new Error(`pipeline process exited ${code} before reporting`)));
      }),
  );
  await Promise.race([allStored(), ...closed]);
  children.forEach((child) => child.send('close'));
  const reports = await Promise.all(closed);
  return {
    firstInsertAt,
    lastStoredAt,
    inserts,
    cpuSeconds: reports.reduce((s, r) => s + r.cpuSeconds, 0),
    eventLoopBusy: reports.map((r) => r.eventLoopBusy),
  };
}

/** The drain's observer: what it sees, as the messages a pipeline process sends. */
const memberObserver = (send: (m: MemberMessage) => void): IngestObserver => ({
  inserted: (e) => send({ kind: 'inserted', startedAt: Date.now() - e.durationMs, rows: e.rows, ms: e.durationMs }),
  stored: (records) =>
    send({ kind: 'stored', positions: records.map((r) => `${r.partition}/${r.offset}`), at: Date.now() }),
  deadLettered: () => undefined,
  storeRetry: () => undefined,
});

/** A pipeline process of the drain (--role member): runs until the bench says close, then reports its CPU. */
async function member(): Promise<void> {
  const store = createTelemetryStore(
    createClickHouseServerExecutor({ url: config.clickhouseUrl, requestTimeoutMs: 120_000 }),
    { database: args.database },
  );
  const send = (m: MemberMessage) => process.send!(m);
  const usage = await runMeasured(
    drainRuntime(args.prefix, store, args.group, memberObserver(send)),
    () => new Promise<void>((resolve) => process.once('message', () => resolve())),
  );
  await store.close();
  send({ kind: 'closed', ...usage });
  process.disconnect();
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** Times `clickhouse-client --port <tcp> --query <insert>` reading `file`; rows/s. */
function clientInsert(query: string, file: string, rows: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('clickhouse-client', ['--port', String(tcpPort), '--query', query], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    createReadStream(file).pipe(child.stdin);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(rows / ((performance.now() - started) / 1000))
        : reject(new Error(`clickhouse-client exited ${code}`)),
    );
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
      await Promise.all(
        [0, 1, 2, 3]
          .filter((k) => tick + k < ticks)
          .map((k) =>
            bus.send(
              Topics.gpuSamples,
              env.fleet.map((n) => ({ key: n.node, value: n.render(tick + k, baseMs + (tick + k) * 1000) })),
            ),
          ),
      );
    }
    await bus.close();
    const batches = ticks * NODES;
    const samples = batches * GPUS;
    log(
      `throughput: produced ${batches} batches (${samples} samples, ${NODES * GPUS} GPUs × ${ticks} ticks) to ${partitions} partitions in ${((performance.now() - produceStarted) / 1000).toFixed(1)} s`,
    );

    const stack0 = stackCpu();
    const merged0 = await mergedRows(env);
    const drained = await drain(env, batches);
    const stack1 = stackCpu();
    const merged = (await mergedRows(env)) - merged0;
    const { inserts } = drained;
    const seconds = (drained.lastStoredAt - drained.firstInsertAt) / 1000;
    const samplesPerS = samples / seconds;
    const stored = await env.store.countRows(StoreTable.gpuSamples);
    if (seconds < 60) log(`throughput: WARNING the drain took ${seconds.toFixed(1)} s, under 60 s: raise --samples`);
    log(
      `throughput: ${inserts.count} flushes of ${Math.round(inserts.rows / inserts.count)} rows (samples, processes, ledger) on average, ${Math.round(inserts.ms / inserts.count)} ms each; ClickHouse's merges rewrote ${Math.round(merged / 1000)}k rows meanwhile (${(merged / inserts.rows).toFixed(1)} per row inserted)`,
    );
    const cpuSeconds = {
      pipeline: drained.cpuSeconds,
      clickhouse: stack1.clickhouse - stack0.clickhouse,
      kafka: stack1.kafka - stack0.kafka,
    };
    const split = Object.entries(cpuSeconds)
      .map(([name, s]) => `${name} ${(s / seconds).toFixed(2)} cores (${((s * 1e6) / samples).toFixed(1)} µs/sample)`)
      .join(', ');
    log(
      `throughput: pipeline stored ${stored} samples (expected ${samples}) in ${seconds.toFixed(1)} s: ${Math.round(samplesPerS)} samples/s; CPU during the drain: ${split}; pipeline event loop${processes > 1 ? `s (${processes} processes)` : ''} busy ${drained.eventLoopBusy.map((u) => `${(u * 100).toFixed(0)}%`).join(', ')}; ${load()}`,
    );
    if (stored !== samples) throw new Error(`row count mismatch: ${stored} stored, ${samples} produced`);
    if (args['drain-only']) return { samplesPerS, ratio: Number.NaN };

    const rollup = createRollupJob(
      { executor: env.store.executor, now: () => baseMs + ticks * 1000 + 180_000 },
      { ...DEFAULT_ROLLUP_JOB_CONFIG, database: env.database },
    );
    const rollupStarted = performance.now();
    const counts = await rollup.run();
    log(
      `throughput: one rollup run over the whole backlog (${counts['minuteWindows']} minute and ${counts['hourWindows']} hour windows) took ${((performance.now() - rollupStarted) / 1000).toFixed(1)} s`,
    );

    const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
    try {
      // The baseline: the rows the pipeline writes for these samples — gpu_samples and gpu_processes
      // (the pipeline also writes a batch-ledger row per batch and change marks, left out here) —
      // staged once, exported by clickhouse-client in each format, then timed on their way back in.
      const baselineTicks = Math.max(1, Math.floor(Number(args['baseline-rows']) / (NODES * GPUS)));
      const baselineSamples = baselineTicks * NODES * GPUS;
      const packed = Array.from({ length: baselineTicks }, (_, t) =>
        env.fleet.map((n) => packGpuSampleBatch(parseBatch(n.render(t, baseMs + t * 1000)))),
      ).flat();
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
            const out = spawn(
              'sh',
              [
                '-c',
                `clickhouse-client --port ${tcpPort} --query "SELECT * FROM ${env.database}.src_${table} FORMAT ${format}" > ${file}`,
              ],
              { stdio: 'inherit' },
            );
            out.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`export exited ${code}`))));
          });
          const before = stackCpu().clickhouse;
          const rowsPerS = await clientInsert(
            `INSERT INTO ${env.database}.${target} FORMAT ${format}`,
            file,
            block.rows,
          );
          rawCpu += stackCpu().clickhouse - before;
          rawRows += block.rows;
          seconds += block.rows / rowsPerS;
          if (table === 'gpu_samples') samplesOnly.set(format, rowsPerS);
        }
        rates.set(format, baselineSamples / seconds);
      }
      const [fastest, raw] = [...rates].reduce((best, r) => (r[1] > best[1] ? r : best));
      log(
        `throughput: raw insert through clickhouse-client of the rows of ${baselineSamples} samples (${TABLES.map((t) => `${t.block.rows} ${t.table}`).join(', ')}), in samples/s: ${[...rates].map(([f, r]) => `${f} ${Math.round(r)}`).join(', ')}; ClickHouse ${((rawCpu * 1e6) / rawRows).toFixed(1)} µs CPU per row; ${load()}`,
      );
      log(
        `throughput: fastest raw format ${fastest}; gpu_samples rows alone (the earlier baseline): ${[...samplesOnly].map(([f, r]) => `${f} ${Math.round(r)} rows/s`).join(', ')}, ratio to Native ${(samplesPerS / samplesOnly.get('Native')!).toFixed(2)}, to TabSeparated ${(samplesPerS / samplesOnly.get('TabSeparated')!).toFixed(2)}`,
      );
      const samplesPerFlush = Math.round((inserts.rows - batches) / 2 / inserts.count);
      await storeAtTarget(env, {
        samplesPerFlush,
        baselineTicks,
        perSample: { pipeline: cpuSeconds.pipeline / samples, kafka: cpuSeconds.kafka / samples },
      });
      return { samplesPerS, ratio: samplesPerS / raw };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await env.close();
  }
}

/** Samples per second the issue asks of this machine (the store-alone run below is paced to it). */
const TARGET_SAMPLES_PER_S = 100_000;

/** ClickHouse's merge counters (system.events), for the rows it rewrote while a run went on. */
async function mergedRows(env: Env): Promise<number> {
  const rows = await env.store.executor.query<{ value: string }>(
    sql`SELECT value FROM system.events WHERE event = 'MergedRows'`,
  );
  return Number(rows[0]?.value ?? 0);
}

/**
 * The store alone at the target rate: for --store-seconds, flushes of the pipeline's size are
 * inserted at 100,000 samples/s into fresh gpu_samples and gpu_processes tables, with nothing else
 * running, each flush the next ticks of the baseline's rows (INSERT … SELECT from the staged rows
 * with ts_ms, ts, date and seq moved on: new keys, as continuous ingest writes them, without a
 * client's parsing). ClickHouse's CPU is counted until its merges settle. With the drain's pipeline
 * and Kafka CPU per sample that gives the most any pipeline of this cost could do on this machine.
 */
async function storeAtTarget(
  env: Env,
  run: { samplesPerFlush: number; baselineTicks: number; perSample: { pipeline: number; kafka: number } },
): Promise<void> {
  const db = ident(env.database);
  const ticksPerFlush = Math.max(1, Math.min(run.baselineTicks, Math.round(run.samplesPerFlush / (NODES * GPUS))));
  const flushSamples = ticksPerFlush * NODES * GPUS;
  const intervalMs = (flushSamples / TARGET_SAMPLES_PER_S) * 1000;
  const statements = [];
  for (const table of ['gpu_samples', 'gpu_processes']) {
    await env.store.executor.command(sql`CREATE TABLE ${db}.${ident(`target_${table}`)} AS ${db}.${ident(table)}`);
    // One flush's rows on their own, so that each INSERT … SELECT reads no more than it writes.
    await env.store.executor.command(sql`CREATE TABLE ${db}.${ident(`flush_${table}`)} AS ${db}.${ident(table)}`);
    await env.store.executor.command(
      sql`INSERT INTO ${db}.${ident(`flush_${table}`)} SELECT * FROM ${db}.${ident(`src_${table}`)} WHERE seq < ${uint(ticksPerFlush)}`,
    );
    const columns = await env.store.executor.query<{ name: string }>(sql`DESCRIBE TABLE ${db}.${ident(table)}`);
    statements.push((flush: number) => {
      const shiftMs = uint(flush * ticksPerFlush * 1000);
      const select = columns.map(({ name }) => {
        // No aliases: an alias named like its column would also change what WHERE reads (INSERT … SELECT maps by position).
        if (name === 'ts_ms') return sql`ts_ms + ${shiftMs}`;
        if (name === 'ts') return sql`toDateTime(intDiv(ts_ms + ${shiftMs}, 1000))`;
        if (name === 'date') return sql`toDate(toDateTime(intDiv(ts_ms + ${shiftMs}, 1000)))`;
        if (name === 'seq') return sql`seq + ${uint(flush * ticksPerFlush)}`;
        return sql`${ident(name)}`;
      });
      return sql`INSERT INTO ${db}.${ident(`target_${table}`)} SELECT ${commaJoin(select.map(raw))} FROM ${db}.${ident(`flush_${table}`)}`;
    });
  }
  await new Promise((r) => setTimeout(r, 5000)); // the baseline's merges
  const cpu0 = stackCpu().clickhouse;
  const merged0 = await mergedRows(env);
  const started = performance.now();
  let flushes = 0;
  while (performance.now() - started < Number(args['store-seconds']) * 1000) {
    await Promise.all(statements.map((statement) => env.store.executor.command(statement(flushes))));
    flushes += 1;
    await new Promise((r) => setTimeout(r, Math.max(0, started + flushes * intervalMs - performance.now())));
  }
  const seconds = (performance.now() - started) / 1000;
  const samples = flushes * flushSamples;
  const inserting = stackCpu().clickhouse - cpu0;
  // Merges go on after the last insert; count them until ClickHouse's CPU stays flat for 5 s (at most 2 minutes).
  let settled = stackCpu().clickhouse;
  for (let previous = -1, waited = 0; settled - previous > 0.05 && waited < 120; waited += 5) {
    previous = settled;
    await new Promise((r) => setTimeout(r, 5000));
    settled = stackCpu().clickhouse;
  }
  const clickhouseUs = ((settled - cpu0) * 1e6) / samples;
  const merged = (await mergedRows(env)) - merged0;
  const landed = await env.store.executor.query<{ n: string }>(sql`SELECT count() AS n FROM ${db}.target_gpu_samples`);
  if (Number(landed[0]?.n) !== samples)
    throw new Error(`store alone: ${landed[0]?.n} gpu_samples rows landed, ${samples} inserted`);
  log(
    `throughput: store alone at ${TARGET_SAMPLES_PER_S} samples/s: ${flushes} flushes of ${flushSamples} samples in ${seconds.toFixed(1)} s (${Math.round(samples / seconds)} samples/s); ClickHouse ${(inserting / seconds).toFixed(2)} cores while inserting, ${clickhouseUs.toFixed(1)} µs CPU per sample with the merges after (${(merged / (2 * samples)).toFixed(1)} merge rewrites per row inserted); ${load()}`,
  );
  const [pipelineUs, kafkaUs] = [run.perSample.pipeline * 1e6, run.perSample.kafka * 1e6];
  const total = clickhouseUs + pipelineUs + kafkaUs;
  const cores = cpus().length;
  log(
    `throughput: CPU budget: ${cores} cores give ${((cores * 1e6) / TARGET_SAMPLES_PER_S).toFixed(1)} µs per sample at ${TARGET_SAMPLES_PER_S} samples/s; this design spends ${total.toFixed(1)} (ClickHouse ${clickhouseUs.toFixed(1)} + Kafka ${kafkaUs.toFixed(1)} + pipeline ${pipelineUs.toFixed(1)}), so at most ${Math.round((cores * 1e6) / total)} samples/s with every core busy`,
  );
}

async function fleetLag(): Promise<void> {
  const env = await setUp('fleet');
  const seconds = Number(args.seconds);
  try {
    const bus = producerBus(env.prefix);
    await bus.ensureTopics([...INGEST_TOPICS, Topics.deadLetters], { partitions });
    const delays: number[] = [];
    const groupId = `bench-fleet-${runId}`;
    const probe = createKafkaLagProbe({
      brokers: config.kafkaBrokers,
      clientId: 'bench-lag',
      groupId,
      topics: [Topics.gpuSamples],
      topicPrefix: env.prefix,
    });
    const runtime = createPipelineRuntime(
      {
        bus: pipelineBus(env.prefix),
        store: env.store,
        logger: quiet,
        now: Date.now,
        observer: {
          inserted: () => undefined,
          stored: (records, nowMs) => records.forEach((r) => delays.push(nowMs - r.timestampMs)),
          deadLettered: () => undefined,
          storeRetry: () => undefined,
        },
      },
      {
        groupId,
        ingest: {
          members: Number(args.members) * processes,
          batchesPerMember: pipelineFetch.batchesPerMember,
          maxBatchRows: Number(args['batch-rows']),
          partitions,
        },
        retention: null,
      },
    );
    await runtime.start();
    const stack0 = stackCpu();
    const cpu0 = process.cpuUsage();
    const lagSamples: number[] = [];
    const started = Date.now();
    let produced = 0;
    // 10 slices per second: each node sends one batch per second, spread evenly.
    for (let slot = 0; Date.now() - started < seconds * 1000; slot++) {
      const tick = Math.floor(slot / 10);
      const slice = env.fleet.slice((slot % 10) * (NODES / 10), ((slot % 10) + 1) * (NODES / 10));
      await bus.send(
        Topics.gpuSamples,
        slice.map((n) => ({ key: n.node, value: n.render(tick, Date.now()) })),
      );
      produced += slice.length;
      if (slot % 10 === 9) lagSamples.push((await probe.read()).reduce((sum, l) => sum + l.lagRecords, 0));
      await new Promise((r) => setTimeout(r, Math.max(0, started + (slot + 1) * 100 - Date.now())));
    }
    const deadline = Date.now() + 60_000;
    while (runtime.ingest.stats.accepted < produced && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const clickhouseSeconds = stackCpu().clickhouse - stack0.clickhouse;
    const cpu = process.cpuUsage(cpu0);
    await runtime.close();
    await probe.close();
    await bus.close();
    const sorted = [...delays].sort((a, b) => a - b);
    const lastTen = lagSamples.slice(-10);
    log(
      `fleet: ${NODES * GPUS} GPUs at 1 Hz for ${seconds} s: ${produced} batches produced, ${runtime.ingest.stats.accepted} stored; CPU per sample: ClickHouse ${((clickhouseSeconds * 1e6) / (produced * GPUS)).toFixed(1)} µs, this process (producer and pipeline) ${((cpu.user + cpu.system) / (produced * GPUS)).toFixed(1)} µs (fetch wait ${args['fetch-wait']} ms)`,
    );
    log(
      `fleet: ingest delay (bus → stored) p50 ${(percentile(sorted, 0.5) / 1000).toFixed(2)} s, p99 ${(percentile(sorted, 0.99) / 1000).toFixed(2)} s, max ${((sorted[sorted.length - 1] ?? 0) / 1000).toFixed(2)} s; ${load()}`,
    );
    log(
      `fleet lag: max ${Math.max(0, ...lagSamples)} records (${(Math.max(0, ...lagSamples) / NODES).toFixed(2)} s of production), last 10 s ${Math.min(...lastTen)}..${Math.max(...lastTen)} records; bounded under 5 s: ${percentile(sorted, 0.99) < 5000 ? 'yes' : 'no'}`,
    );
  } finally {
    await env.close();
  }
}

const mode = args.mode;
if (args.role === 'member') {
  await member();
  process.exit(0);
}
if (mode !== 'all' && mode !== 'throughput' && mode !== 'fleet')
  throw new Error(`--mode must be all, throughput or fleet, got ${mode}`);
if (mode === 'all' || mode === 'fleet') await fleetLag();
if (mode === 'all' || mode === 'throughput') {
  const { samplesPerS, ratio } = await throughput();
  if (!args['drain-only']) log(`ingest: ${Math.round(samplesPerS)} samples/s, ${ratio.toFixed(2)} of raw insert`);
}
