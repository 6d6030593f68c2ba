/**
 * The shutdown contract (cli/shutdown.ts) of the real commands, on a Kafka broker and ClickHouse 18.16
 * server of this file's own (createPrivateStack): `gpu-ledger pipeline`, `agent` and `api` run as child
 * processes and get SIGTERM in each state: idle, mid-flush, group rebalancing (a second pipeline
 * joins), broker down, ClickHouse down, agent spool replaying. Each must exit 0 within the default
 * deadline (10 s); the time is measured and printed. Nothing is lost: after a restart the store holds
 * exactly what was produced, and Kafka every batch each agent boot made. A child that misses the
 * deadline by the margin is SIGKILLed and its last log lines fail the test (test/helpers/cli-child.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../bench/ingest-fleet.ts';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { GpuSampleBatchSchema, INGEST_TOPICS, Topics, type RecordBus } from '../../contracts/index.ts';
import { DEFAULT_ROLLUP_JOB_CONFIG } from '../../pipeline/jobs/rollup-job.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { killAllChildren, startCli, type CliChild, type StoppedChild } from '../helpers/cli-child.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { createPrivateStack, freePort, type PrivateStack } from '../helpers/private-stack.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';
import {
  groundTruth,
  pipelineEnv,
  produceTicks,
  range,
  startPipeline,
  type PipelineProcess,
  type PipelineTarget,
} from './pipeline-harness.ts';

/** The default GPU_LEDGER_SHUTDOWN_TIMEOUT_MS: the children run with it. */
const DEADLINE_MS = 10_000;
/** Past the deadline by this much the child is killed and the test fails (a loaded CI machine). */
const KILL_AFTER_MS = DEADLINE_MS + 5_000;
const PIPELINE_ARGS = [
  ...['--members', '2', '--partitions', '4', '--batch-delay', '100ms'],
  ...['--rollup-interval', 'off', '--gaps-interval', 'off', '--retention-interval', 'off'],
  ...['--ledger-interval', 'off', '--recommend-interval', 'off', '--hints-interval', 'off', '--rules-interval', 'off'],
];
const CAPTURES = fixturePath('nvidia-smi-csv');
const quiet = pino({ level: 'silent' });

describe('shutdown contract: SIGTERM in every state (private Kafka + ClickHouse)', () => {
  let stack: PrivateStack;
  let target: PipelineTarget;
  let store: TelemetryStore;
  let producer: RecordBus;
  let pipeline: PipelineProcess;
  const exitTimes: string[] = [];
  const fleet = buildFleet({ fixturesDir: fixturePath(), nodes: 10, gpusPerNode: 4, cluster: 'stop', runId: 's1' });
  const baseMs = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
  const produced = new Set<number>();
  let nextTick = 0;
  const ticks = (n: number): number[] => {
    const t = range(nextTick, nextTick + n);
    nextTick += n;
    t.forEach((x) => produced.add(x));
    return t;
  };

  /** SIGTERM, bounded wait, exit code 0 within the deadline; the time is recorded for the summary. */
  async function terminate(child: CliChild, state: string): Promise<StoppedChild> {
    const stopped = await child.stop('SIGTERM', KILL_AFTER_MS);
    const line = `${state}: exit ${stopped.code ?? stopped.signal} after ${stopped.exitMs} ms`;
    exitTimes.push(line);
    console.info(`shutdown ${line}`);
    expect(stopped.exitMs, `${state}\n${child.lastLines()}`).toBeLessThan(DEADLINE_MS);
    expect(stopped.code, `${state}\n${child.lastLines()}`).toBe(0);
    return stopped;
  }

  const restartPipeline = async () => {
    pipeline = await startPipeline(target, await freePort(), PIPELINE_ARGS);
  };

  /** Waits until the store holds exactly what was produced: every batch, every sample, once. */
  async function expectAllStored(): Promise<void> {
    const truth = groundTruth(fleet, produced, baseMs, DEFAULT_ROLLUP_JOB_CONFIG.maxGapMs);
    await waitFor(
      `${truth.batches} batches stored`,
      async () => (await store.countRows(StoreTable.ingestBatches).catch(() => -1)) === truth.batches,
      60_000,
      250,
    );
    expect(await store.countRows(StoreTable.gpuSamples)).toBe(truth.samples);
  }

  beforeAll(async () => {
    stack = await createPrivateStack(['kafka', 'clickhouse']);
    const suffix = Date.now().toString(36);
    target = {
      kafkaBrokers: stack.config.endpoints.kafkaBrokers,
      clickhouseUrl: stack.config.endpoints.clickhouseUrl,
      database: `stop_${suffix}`,
      topicPrefix: `stop-${suffix}.`,
    };
    store = createTelemetryStore(
      createClickHouseServerExecutor({ url: target.clickhouseUrl, requestTimeoutMs: 10_000 }),
      { database: target.database },
    );
    await store.migrate();
    producer = createKafkaBus({
      brokers: target.kafkaBrokers,
      clientId: 'stop-producer',
      topicPrefix: target.topicPrefix,
      logger: quiet,
      sendRetries: 2,
    });
    await producer.ensureTopics([...INGEST_TOPICS, Topics.deadLetters], { partitions: 4 });
    await restartPipeline();
  }, 120_000);

  afterAll(async () => {
    console.info(`shutdown exit times (deadline ${DEADLINE_MS} ms):\n  ${exitTimes.join('\n  ')}`);
    try {
      if (pipeline) await terminate(pipeline.cli, 'pipeline, at the end');
    } finally {
      await killAllChildren();
      await producer?.close();
      await store?.close();
      await stack?.close();
    }
  }, 60_000);

  it('pipeline idle: exits at once, ready no more from the signal on', async () => {
    await produceTicks(producer, fleet, ticks(5), baseMs);
    await expectAllStored();
    expect((await pipeline.ready())?.status).toBe(200);
    await terminate(pipeline.cli, 'pipeline idle');
    await restartPipeline();
    await expectAllStored();
  }, 60_000);

  it('pipeline mid-flush: what was stored is committed, the rest is stored after the restart', async () => {
    const before = await store.countRows(StoreTable.ingestBatches);
    const producing = produceTicks(producer, fleet, ticks(40), baseMs, 10);
    await waitFor('the burst being stored', async () => (await store.countRows(StoreTable.ingestBatches)) > before);
    await terminate(pipeline.cli, 'pipeline mid-flush');
    await producing;
    await restartPipeline();
    await expectAllStored();
  }, 60_000);

  it('pipeline caught in a rebalance that waits for a slow member: exits within the deadline', async () => {
    // A rolling update: a new pipeline joins while one member of the group (here a consumer of the
    // test's own, its session 60 s) is busy with a batch. Every re-join waits for that member, and the
    // pipeline that gets SIGTERM is caught re-joining: kafkajs' disconnect waits for the join to end.
    const first = pipeline;
    const producing = produceTicks(producer, fleet, ticks(30), baseMs, 50);
    const slowBus = createKafkaBus({
      brokers: target.kafkaBrokers,
      clientId: 'stop-slow-member',
      topicPrefix: target.topicPrefix,
      logger: quiet,
      sessionTimeoutMs: 60_000,
      closeTimeoutMs: 5000,
    });
    let release: (error: Error) => void = () => undefined;
    const released = new Promise<never>((_, reject) => (release = reject));
    released.catch(() => undefined);
    let busy = false;
    const slow = await slowBus.subscribe({
      groupId: 'gpu-ledger-ingest',
      topics: [Topics.gpuSamples],
      handleBatch: async () => {
        busy = true;
        await released; // never stores, never commits: its records go to the pipelines after it leaves
      },
    });
    let second: Promise<PipelineProcess> | null = null;
    try {
      await waitFor('the slow member busy with a batch', () => busy, 30_000);
      const from = first.cli.log().length;
      second = startPipeline(target, await freePort(), PIPELINE_ARGS, {}, 'pipeline#2');
      second.catch(() => undefined);
      await first.cli.waitForLog(/rebalancing/, 30_000, from);
      await terminate(first.cli, 'pipeline group rebalancing');
    } finally {
      release(new Error('slow member released'));
      await slow.close();
      await slowBus.close();
    }
    pipeline = await second;
    await producing;
    await expectAllStored();
  }, 90_000);

  it('pipeline with ClickHouse down: abandons the write it retries, uncommitted; stored after the restart', async () => {
    await stack.stop('clickhouse');
    try {
      await produceTicks(producer, fleet, ticks(5), baseMs);
      await waitFor('writes retried', async () => Number((await pipeline.health())?.['storeRetries']) > 0, 20_000);
      const ready = await pipeline.ready();
      expect(ready?.status).toBe(503);
      expect((ready?.body['checks'] as Record<string, string>)['store']).not.toBe('ok');
      expect((await pipeline.health())?.['ok']).toBe(true); // alive: correctly waiting
      await terminate(pipeline.cli, 'pipeline ClickHouse down');
    } finally {
      await stack.start('clickhouse');
    }
    await restartPipeline();
    await expectAllStored();
  }, 90_000);

  describe('with agents', () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'shutdown-agent-spool-'));
    const agentPrefix = `${uniqueName('stop-agent')}.`;
    const node = uniqueName('stop-node');
    /** Each agent run's boot id and the batches it made (its "sampling stopped" log line). */
    const boots: { bootId: string; batches: number }[] = [];

    const startAgent = async (name: string): Promise<{ cli: CliChild; health: () => Promise<unknown> }> => {
      const port = await freePort();
      const cli = startCli(name, ['agent'], {
        ...pipelineEnv({ ...target, topicPrefix: agentPrefix }),
        GPU_LEDGER_LOG_LEVEL: 'info',
        GPU_LEDGER_NODE: node,
        GPU_LEDGER_GPU_SOURCE: 'nvidia-smi-csv',
        GPU_LEDGER_NVIDIA_SMI: resolve(import.meta.dirname, '../../bin/fake-nvidia-smi.js'),
        FAKE_NVIDIA_SMI_CSV: join(
          CAPTURES,
          'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-gpu.csv',
        ),
        FAKE_NVIDIA_SMI_APPS_CSV: join(
          CAPTURES,
          'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-compute-apps.csv',
        ),
        FAKE_NVIDIA_SMI_GPUS: '8',
        GPU_LEDGER_SAMPLE_INTERVAL_MS: '50',
        GPU_LEDGER_SPOOL_DIR: spoolDir,
        GPU_LEDGER_SPOOL_SEND_INTERVAL_MS: '0',
        GPU_LEDGER_PROC_ROOT: '',
        GPU_LEDGER_AGENT_METRICS_ADDR: `127.0.0.1:${port}`,
      });
      const health = async () => {
        try {
          return await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
        } catch {
          return null;
        }
      };
      await waitFor(`${name} serving /healthz`, async () => (await health()) !== null || !cli.running, 60_000, 20);
      return { cli, health };
    };
    const recordBoot = (cli: CliChild) => {
      const line = /"bootId":"([^"]+)","batches":(\d+)/.exec(cli.log());
      expect(line, cli.lastLines()).not.toBeNull();
      boots.push({ bootId: line![1]!, batches: Number(line![2]) });
    };
    const pending = async (agent: { health: () => Promise<unknown> }) =>
      ((await agent.health()) as { spool?: { pendingRecords: number } } | null)?.spool?.pendingRecords ?? -1;

    afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));

    it('broker down: the pipeline and a spooling agent both exit within the deadline', async () => {
      const agent = await startAgent('agent#1');
      await waitFor('agent delivering', async () => (await pending(agent)) === 0, 30_000);
      await stack.stop('kafka');
      try {
        await waitFor('a backlog in the spool', async () => (await pending(agent)) >= 40, 30_000);
        await waitFor(
          'the pipeline not ready (Kafka unreachable) but alive',
          async () => (await pipeline.ready())?.status === 503,
          20_000,
        );
        expect((await pipeline.health())?.['ok']).toBe(true);
        await terminate(pipeline.cli, 'pipeline broker down');
        await terminate(agent.cli, 'agent broker down');
        recordBoot(agent.cli);
      } finally {
        await stack.start('kafka');
      }
      await restartPipeline();
      await produceTicks(producer, fleet, ticks(3), baseMs);
      await expectAllStored();
    }, 120_000);

    it('agent spool replaying: exits within the deadline; the next run delivers the rest, nothing lost', async () => {
      const replaying = await startAgent('agent#2');
      const backlog = await pending(replaying);
      expect(backlog).toBeGreaterThan(0);
      await terminate(replaying.cli, `agent spool replaying (${backlog} records pending at the signal)`);
      recordBoot(replaying.cli);

      const idle = await startAgent('agent#3');
      await waitFor('the spool drained', async () => (await pending(idle)) === 0, 30_000);
      await terminate(idle.cli, 'agent idle');
      recordBoot(idle.cli);

      const reader = createKafkaBus({
        brokers: target.kafkaBrokers,
        clientId: 'stop-reader',
        topicPrefix: agentPrefix,
        logger: quiet,
      });
      const seen = new Map<string, Set<number>>();
      const sub = await reader.subscribe({
        groupId: uniqueName('stop-check'),
        topics: [Topics.gpuSamples],
        fromBeginning: true,
        handleBatch: async (b) => {
          for (const r of b.records) {
            const batch = GpuSampleBatchSchema.parse(JSON.parse(r.value));
            seen.set(batch.bootId, (seen.get(batch.bootId) ?? new Set()).add(batch.seq));
          }
        },
      });
      try {
        await waitFor(
          'every batch of every boot in Kafka',
          () => boots.every((b) => (seen.get(b.bootId)?.size ?? 0) >= b.batches),
          30_000,
        );
      } finally {
        await sub.close();
        await reader.close();
      }
      for (const b of boots) expect([...(seen.get(b.bootId) ?? [])].sort((x, y) => x - y)).toEqual(range(0, b.batches));
      expect(boots.reduce((n, b) => n + b.batches, 0)).toBeGreaterThan(40);
    }, 120_000);
  });

  it('api idle: exits within the deadline', async () => {
    const port = await freePort();
    const api = startCli('api', ['api'], { ...pipelineEnv(target), GPU_LEDGER_API_ADDR: `127.0.0.1:${port}` });
    await waitFor(
      'the API answering /healthz',
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true || !api.running,
      60_000,
      100,
    );
    await terminate(api, 'api idle');
  }, 60_000);
});
