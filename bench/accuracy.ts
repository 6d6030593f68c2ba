/**
 * Figure for issues 5 and 12: how close the cost ledger comes to the true cost, through the DISTRIBUTED path
 * with faults. A simulated fleet (sim/openb-fleet.ts: the 1,213 GPU nodes of the openb
 * trace, its GPU pods with their real durations and queueing delays, utilization from gentd26) runs
 * one real agent per node (sim/sim-host.ts: agent, disk spool, pod event tracker and
 * publisher) on a simulated clock → a Kafka broker of its own → the real pipeline (consumer group)
 * → the shared ClickHouse 18.16 server (a database of its own) → the cost ledger job → the report.
 *
 * Faults (`--faults`, all on by default):
 *   pre-window     pods are created from an hour before the window, so some already run at its start
 *   churn          every tenth node joins a quarter into the window, every tenth leaves three quarters
 *                  in (its pods drained as it goes)
 *   mig            every eighth G2/G3 node runs as the A100 the catalog prices it as, MIG on, each GPU cut
 *                  3g + 2g + 1g + 1g (mig-parted's all-balanced); sharing pods that land there ask for a
 *                  profile, and the node's agent reads DCGM per instance with nvidia-smi's process list
 *                  (sim/openb-fleet.ts, sim/sim-host.ts)
 *   price          a catalog version raises the T4 and P100 prices by 25% at 01:30, inside an hour
 *   broker         the Kafka broker is stopped for a while (≥ 15 s of real time) and started again;
 *                  agents spool meanwhile
 *   restarts       2% of the agents restart while the broker is down (non-empty spool), 2% more later
 *   agent-kill     2% of the agents run as processes of their own (sim/child-sim-host.ts) and are
 *                  SIGKILLed in the middle of a tick (0–40 ms into it, spool and tracker-state writes
 *                  included) while the broker is down, then started again: a torn spool tail is cut
 *                  off at the restart and the tick's batch sent again, under the new boot
 *   dupes          3% of the agents deliver everything twice
 *   offline        one agent is down for 15 minutes across an hour boundary (no samples, no pod watch;
 *                  pods deleted meanwhile are noticed at its restart, pods that start and end meanwhile
 *                  are never seen): the node with the most pod changes in that time, the worst case
 *   pipeline-kill  `gpu-ledger pipeline` (a child process) is SIGKILLed and started again 5% later
 *   clickhouse     the ClickHouse server (one of its own) is stopped for `--clickhouse-down` s (60)
 * On fewer than 50 nodes the restarts and duplicates still pick one agent each.
 *
 * The simulator knows the truth (sim/truth, which imports nothing from pipeline/cost): each pod's
 * GPUs held × the catalog price × the time it ran, what it used of them, its waste; the fleet's
 * unallocated idle.
 *
 * Run: `npm run bench:accuracy [-- --hours 4 --interval 60 --nodes 0 --faults <list>|none]` (needs
 * `gpu-ledger stack up` for ClickHouse unless the clickhouse fault runs; starts its own Kafka). `--nodes N`
 * takes N nodes spread evenly over the trace's list, so every model is in the sample. Prints, last:
 *   accuracy: worst tenant cost error <x>%, worst tenant waste error <y>%, unallocated idle error <z>%,
 *     usage error <u>% over <n> tenants; faults: <comma list>
 * against the independent truth of sim/truth (its own catalog reading and price resolution; used
 * GPU-hours as the exact integral of the replayed series). The fleet total is printed beside it only:
 * idle absorbs whatever the pods do not hold, so it cannot come out wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { createKafkaBus } from '../bus/kafka-bus.ts';
import { createChildSimHost, type ChildSimHost } from '../sim/child-sim-host.ts';
import { loadConfig } from '../cli/config.ts';
import { INGEST_TOPICS, Topics, type RecordSink } from '../contracts/index.ts';
import { parseCostConfig } from '../pipeline/cost/cost-config.ts';
import { createCostLedgerJob } from '../pipeline/cost/cost-ledger-job.ts';
import { costReport } from '../pipeline/cost/cost-report.ts';
import { DEFAULT_PRICE_CATALOG_PATH, loadPriceCatalog } from '../pipeline/cost/load-price-catalog.ts';
import { createClickHouseServerExecutor } from '../pipeline/store/clickhouse-server-executor.ts';
import { createCostStore } from '../pipeline/store/cost-store.ts';
import { ident, sql } from '../pipeline/store/sql.ts';
import { createTelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { createPrivateStack, freePort } from '../test/helpers/private-stack.ts';
import { startPipeline, type PipelineProcess } from '../test/integration/pipeline-harness.ts';
import { createFleetReplay, type FleetReplay } from '../sim/fleet-replay.ts';
import { loadOpenbFleet, NAMESPACE_TENANTS } from '../sim/openb-fleet.ts';
import { readTruthPrices } from '../sim/truth/catalog-prices.ts';
import { simFleetTruth } from '../sim/truth/fleet-truth.ts';
import {
  compareLedgerWithTruth,
  formatAccuracyLine,
  formatComparisonTable,
  relativeError,
} from '../sim/truth/ledger-vs-truth.ts';

const FAULTS_DEFAULT = 'pre-window,churn,mig,price,broker,restarts,agent-kill,dupes,offline,pipeline-kill,clickhouse';
const { values: args } = parseArgs({
  options: {
    hours: { type: 'string', default: '4' },
    interval: { type: 'string', default: '60' },
    nodes: { type: 'string', default: '0' },
    faults: { type: 'string', default: FAULTS_DEFAULT },
    'clickhouse-down': { type: 'string', default: '60' },
    'no-faults': { type: 'boolean', default: false },
  },
});
const HOUR = 3_600_000;
const hours = Number(args.hours);
const intervalMs = Number(args.interval) * 1000;
const FAULTS = [
  'broker',
  'restarts',
  'agent-kill',
  'dupes',
  'offline',
  'price',
  'pipeline-kill',
  'clickhouse',
  'pre-window',
  'churn',
  'mig',
] as const;
const faultList = args['no-faults'] || args.faults === 'none' ? [] : args.faults.split(',').map((f) => f.trim());
const unknownFaults = faultList.filter((f) => !(FAULTS as readonly string[]).includes(f));
if (unknownFaults.length > 0)
  throw new Error(`--faults: unknown ${unknownFaults.join(', ')} (known: ${FAULTS.join(', ')}, or none)`);
const fault = (name: (typeof FAULTS)[number]) => faultList.includes(name);
const faultsRun: string[] = [];

/** Copies the catalog with one more version, effective at `atMs`, that raises two models' prices. */
function withPriceChange(from: string, to: string, atMs: number): string {
  const doc = parse(readFileSync(from, 'utf8')) as { versions: unknown[] };
  doc.versions.push({
    effectiveFrom: new Date(atMs).toISOString(),
    note: 'bench:accuracy price fault: +25% inside an hour window',
    prices: [
      { model: 'T4', tier: 'on-demand', usdPerGpuHour: 0.6575, source: 'bench fault' },
      { model: 'P100', tier: 'on-demand', usdPerGpuHour: 1.825, source: 'bench fault' },
    ],
  });
  writeFileSync(to, stringify(doc));
  return to;
}
if (!Number.isInteger(hours) || hours < 3)
  throw new Error('--hours must be an integer ≥ 3 (the offline fault crosses the second hour boundary)');
const config = loadConfig(process.env, process.cwd());
const quiet = pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'error' });
const log = (line: string) => console.log(line);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

const W0 = Date.UTC(2026, 10, 2);
const W1 = W0 + hours * HOUR;
const runId = Date.now().toString(36);
const cluster = 'openb';
const database = `bench_accuracy_${runId}`;

// ---- the fleet and its truth
const fleet = loadOpenbFleet(join(config.tracesDir, 'openb'), {
  fromMs: W0,
  hours,
  ...(Number(args.nodes) > 0 ? { maxNodes: Number(args.nodes) } : {}),
  spread: true,
  preWindowHours: fault('pre-window') ? 1 : 0,
  churn: fault('churn'),
  mig: fault('mig'),
});
if (fault('pre-window')) faultsRun.push('pods-before-window');
if (fault('churn')) faultsRun.push('nodes-join-leave');
const migNodes = fleet.nodes.filter((n) => n.migLayout);
const migPods = fleet.pods.filter((p) => p.migProfile !== undefined);
if (fault('mig')) {
  if (migNodes.length === 0 || migPods.length === 0)
    throw new Error(
      `the mig fault needs a MIG node with MIG pods: this fleet has ${migNodes.length} and ${migPods.length}`,
    );
  faultsRun.push('mig-nodes');
  const byProfile = new Map<string, number>();
  for (const p of migPods) byProfile.set(p.migProfile ?? '', (byProfile.get(p.migProfile ?? '') ?? 0) + 1);
  log(
    `MIG: ${migNodes.length} G2/G3 nodes as A100s in the all-balanced layout (${migNodes.reduce((s, n) => s + n.gpuUuids.length, 0)} GPUs), ${migPods.length} pods on instances (${[...byProfile].map(([k, v]) => `${v} ${k}`).join(', ')})`,
  );
}
// The price fault: a catalog version raising the T4 and P100 on-demand prices by 25% at W0 + 1.5 h,
// inside an hour window. The ledger and the truth each read that file their own way.
const catalogDir = mkdtempSync(join(tmpdir(), 'bench-accuracy-prices-'));
const catalogPath = fault('price')
  ? withPriceChange(DEFAULT_PRICE_CATALOG_PATH, join(catalogDir, 'prices.yaml'), W0 + 90 * 60_000)
  : DEFAULT_PRICE_CATALOG_PATH;
if (fault('price')) faultsRun.push('price-change');
const catalog = loadPriceCatalog(catalogPath);
const truth = simFleetTruth(
  fleet,
  { fromMs: W0, toMs: W1 },
  readTruthPrices(catalogPath),
  join(config.tracesDir, 'gentd26'),
);
const gpus = fleet.nodes.reduce((sum, n) => sum + n.gpuUuids.length, 0);
log(
  `fleet: ${fleet.nodes.length} nodes, ${gpus} GPUs; ${fleet.pods.length} GPU pods run (${fleet.pending} pending); ${hours} h from ${new Date(W0).toISOString()}, samples every ${intervalMs / 1000} s`,
);
log(
  `truth: fleet $${truth.fleetUsd.toFixed(2)}, workload $${truth.workloadUsd.toFixed(2)}, unallocated idle $${truth.unallocatedUsd.toFixed(2)}, allocated-but-unused $${truth.allocatedUnusedUsd.toFixed(2)}, used ${truth.usedGpuHours.toFixed(1)} GPU-h`,
);

// ---- services: Kafka of our own (the broker fault stops it), ClickHouse of our own for the
// clickhouse fault (else the shared server), and `gpu-ledger pipeline` as a child process (SIGKILLed
// by the pipeline-kill fault).
log(`starting a private Kafka broker${fault('clickhouse') ? ' and ClickHouse server' : ''}… (${elapsed()})`);
const stack = await createPrivateStack(fault('clickhouse') ? ['kafka', 'clickhouse'] : ['kafka']);
const clickhouseUrl = fault('clickhouse')
  ? `http://127.0.0.1:${stack.config.clickhouse.httpPort}`
  : config.clickhouseUrl;
const clickhouseDownMs = Number(args['clickhouse-down']) * 1000;
const brokers = [`127.0.0.1:${stack.config.kafka.port}`];
const executor = createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 120_000 });
const store = createTelemetryStore(executor, { database });
const agentBus = createKafkaBus({ brokers, clientId: 'sim-agents', logger: quiet, lingerMs: 5, maxBatchRecords: 2000 });
const stateRoot = mkdtempSync(join(tmpdir(), 'bench-accuracy-'));
let replay: FleetReplay | null = null;
const pipe: { current: PipelineProcess | null } = { current: null };
const target = { kafkaBrokers: brokers, clickhouseUrl, database, topicPrefix: '' };
const startPipelineChild = async () => {
  // Retention off: the simulated window is weeks old, and the raw retention (14 days) would drop it.
  pipe.current = await startPipeline(
    target,
    await freePort(),
    ['--members', '1', '--retention-interval', 'off', '--rollup-interval', 'off', '--gaps-interval', 'off'],
    {
      GPU_LEDGER_CLUSTER: cluster,
      GPU_LEDGER_LOG_LEVEL: 'error',
    },
  );
};
// Interrupted (Ctrl-C): stop the pipeline child and the private services, which would otherwise outlive the bench.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    pipe.current?.child.kill('SIGKILL');
    void stack.close().finally(() => process.exit(130));
  });
try {
  await store.migrate();
  await agentBus.ensureTopics([...INGEST_TOPICS, Topics.deadLetters], { partitions: 4 });
  await startPipelineChild();

  // ---- the fleet's agents, and the faults by simulated time
  const twice: RecordSink = {
    send: async (topic, records) => (await agentBus.send(topic, records), await agentBus.send(topic, records)),
    close: () => Promise.resolve(),
  };
  const offlineFrom = W0 + 2 * HOUR - 7 * 60_000;
  const offlineTo = W0 + 2 * HOUR + 8 * 60_000;
  // The offline agent is the node with the most pods ending in its outage (then the most starting): the worst case.
  const inOutage = (t: number) => t >= offlineFrom && t < offlineTo;
  const score = new Map<string, number>();
  for (const p of fleet.pods)
    score.set(p.node, (score.get(p.node) ?? 0) + (inOutage(p.endMs) ? 1000 : 0) + (inOutage(p.startMs) ? 1 : 0));
  const busiest = [...score].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
  if (fault('dupes')) faultsRun.push('duplicates');
  if (fault('offline')) {
    const on = fleet.pods.filter((p) => p.node === busiest);
    const late = on.filter((p) => p.startMs < offlineFrom && inOutage(p.endMs)).length;
    const unseen = on.filter((p) => inOutage(p.startMs) && inOutage(p.endMs)).length;
    log(
      `offline fault on ${busiest}: ${late} of its pods end while its agent is down (billed until the agent is back), ${unseen} start and end meanwhile (never seen)`,
    );
  }
  let brokerDownAt = 0;
  // The agent-kill fault's hosts: processes of their own, each with its own Kafka producer.
  const killed = (i: number) => fault('agent-kill') && i % 50 === 19 % few;
  const restart = async (which: (i: number) => boolean) => {
    const chosen = (replay?.hosts ?? []).filter((h, i) => which(i) && h.online);
    for (const h of chosen) await h.stop();
    for (const h of chosen) await h.boot();
    return chosen.length;
  };
  // A small fleet still gets one agent per fault (the 2% and 3% picks would choose none).
  const few = Math.min(50, fleet.nodes.length);
  const stepAt = (fraction: number) => Math.floor((replay?.steps ?? 0) * fraction);
  let clickhouseDownAt = 0;
  const injectFaults = async (step: number, simNow: number) => {
    if (fault('pipeline-kill') && step === stepAt(0.45)) {
      await pipe.current?.stop('SIGKILL');
      faultsRun.push('pipeline-sigkill');
      log(`fault: pipeline SIGKILLed at tick ${step} (${elapsed()})`);
    }
    if (fault('pipeline-kill') && step === stepAt(0.5)) {
      await startPipelineChild();
      log(`fault: pipeline started again at tick ${step} (${elapsed()})`);
    }
    if (fault('clickhouse') && step === stepAt(0.7)) {
      await stack.stop('clickhouse');
      clickhouseDownAt = performance.now();
      faultsRun.push('clickhouse-stop');
      log(`fault: ClickHouse stopped at tick ${step} (${elapsed()})`);
    }
    if (fault('clickhouse') && step === stepAt(0.8)) {
      await sleep(Math.max(0, clickhouseDownMs - (performance.now() - clickhouseDownAt)));
      await stack.start('clickhouse');
      log(
        `fault: ClickHouse started again after ${((performance.now() - clickhouseDownAt) / 1000).toFixed(0)} s down (${elapsed()})`,
      );
    }
    if (fault('broker') && step === stepAt(0.25)) {
      await stack.stop('kafka');
      brokerDownAt = performance.now();
      faultsRun.push('broker-stop');
      log(`fault: broker stopped at tick ${step} (${elapsed()})`);
    }
    if (fault('restarts') && step === stepAt(0.3)) {
      faultsRun.push(fault('broker') ? 'agent-restart-spooling' : 'agent-restart');
      log(
        `fault: ${await restart((i) => i % 50 === 7 % few)} agents restarted${fault('broker') ? ' while the broker is down' : ''}`,
      );
    }
    if (fault('agent-kill') && step === stepAt(0.3) + 1) {
      const hosts = (replay?.hosts ?? []).filter((h, i) => killed(i) && h.online) as ChildSimHost[];
      for (const h of hosts) {
        await h.killMidTick(simNow, Math.floor(Math.random() * 40));
        await h.boot();
      }
      faultsRun.push(fault('broker') ? 'agent-sigkill-spooling' : 'agent-sigkill');
      log(`fault: ${hosts.length} agent processes SIGKILLed mid-tick and started again`);
    }
    if (fault('broker') && step === stepAt(0.35)) {
      await sleep(Math.max(0, 15_000 - (performance.now() - brokerDownAt)));
      await stack.start('kafka');
      log(
        `fault: broker started again after ${((performance.now() - brokerDownAt) / 1000).toFixed(0)} s down (${elapsed()})`,
      );
    }
    if (fault('restarts') && step === stepAt(0.6)) {
      if (!faultsRun.includes('agent-restart')) faultsRun.push('agent-restart');
      log(`fault: ${await restart((i) => i % 50 === 30 % few)} agents restarted`);
    }
    const offline = fault('offline') ? (replay?.hosts ?? []).find((h) => h.name === busiest) : undefined;
    if (offline?.online && simNow >= offlineFrom && simNow < offlineTo) {
      await offline.stop();
      faultsRun.push('agent-offline-across-hour');
      log(`fault: agent of ${busiest} offline from ${new Date(simNow).toISOString()}`);
    } else if (offline && !offline.online && simNow >= offlineTo) {
      await offline.boot();
      log(`fault: agent of ${busiest} back at ${new Date(simNow).toISOString()}`);
    }
  };
  replay = createFleetReplay(
    {
      cluster,
      fleet,
      fromMs: W0,
      toMs: W1,
      intervalMs,
      stateRoot,
      fixturesDir: config.fixturesDir,
      gentd26Dir: join(config.tracesDir, 'gentd26'),
    },
    {
      sinkFor: (i) => (fault('dupes') && i % 33 === 5 % few ? twice : agentBus),
      hostFor: (i, hostConfig, now, onPodEvents) =>
        killed(i) ? createChildSimHost({ ...hostConfig, brokers }, { now, onPodEvents }) : undefined,
      logger: quiet,
      beforeTick: async (step, simNow) => {
        await injectFaults(step, simNow);
        if (step % 30 === 0)
          log(
            `  tick ${step}/${replay?.steps}, sim ${new Date(simNow).toISOString()}, ${replay?.counts().spooled} records spooled (${elapsed()})`,
          );
      },
    },
  );
  log(`simulating ${replay.steps} ticks of ${replay.hosts.length} agents… (${elapsed()}, ${load()})`);
  await replay.run();

  // ---- drain: spools empty, every distinct batch and pod event stored
  const { batches, podEvents } = replay.counts();
  log(`simulation done: ${batches} batches, ${podEvents} distinct pod events; draining… (${elapsed()}, ${load()})`);
  const db = ident(database);
  const count = async (q: ReturnType<typeof sql>) =>
    Number((await executor.query<Record<string, unknown>>(q))[0]?.['n'] ?? 0);
  for (let waited = 0; ; waited++) {
    const { spooled } = replay.counts();
    const storedBatches = await count(sql`SELECT uniqExact(agent_id, boot_id, seq) AS n FROM ${db}.gpu_samples`);
    const storedEvents = await count(sql`SELECT uniqExact(pod_uid, event, at_ms) AS n FROM ${db}.pod_events`);
    if (spooled === 0 && storedBatches >= batches && storedEvents >= podEvents) break;
    if (waited % 10 === 0)
      log(
        `  ${spooled} spooled, ${storedBatches}/${batches} batches and ${storedEvents}/${podEvents} pod events stored (${elapsed()})`,
      );
    if (waited > 1200) throw new Error('not drained after 20 minutes');
    await sleep(1000);
  }
  await replay.stop();

  // ---- the ledger, as the pipeline computes it once the windows are closed
  const costConfig = parseCostConfig(
    `tenancy: { namespaceTenants: ${JSON.stringify(NAMESPACE_TENANTS)} }`,
    'bench config',
  );
  const job = createCostLedgerJob(
    { executor, database, catalog, options: { cost: costConfig } },
    { now: () => W1 + 16 * 60_000, logger: quiet },
  );
  const jobStarted = performance.now();
  const ran = await job.run({ fromMs: W0, untilMs: W1 });
  log(
    `ledger: ${ran.windows} windows, ${ran.rows} rows, ${ran.problems} problems in ${((performance.now() - jobStarted) / 1000).toFixed(1)} s`,
  );
  const report = await costReport(createCostStore(executor, { database }), { fromMs: W0, toMs: W1, by: ['tenant'] });
  const comparison = compareLedgerWithTruth(report, truth);
  for (const line of formatComparisonTable(comparison)) log(line);
  // The fleet total is printed beside the rest, never alone: idle absorbs what the pods do not hold.
  log(
    `(fleet total, for reference) truth $${truth.fleetUsd.toFixed(2)}, ledger $${report.totals.costUsd.toFixed(2)}, error ${pct(relativeError(report.totals.costUsd, truth.fleetUsd))}`,
  );
  log(`finished in ${elapsed()} (${load()})`);
  log(formatAccuracyLine(comparison, faultsRun));
} finally {
  await replay?.stop().catch(() => undefined);
  await pipe.current?.stop('SIGTERM').catch(() => undefined);
  await agentBus.close().catch(() => undefined);
  await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
  await store.close().catch(() => undefined);
  await stack.close();
  rmSync(stateRoot, { recursive: true, force: true });
  rmSync(catalogDir, { recursive: true, force: true });
}
