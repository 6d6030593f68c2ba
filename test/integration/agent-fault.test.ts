import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { createAgent, type AgentObserver } from '../../collectors/agent.ts';
import { createNvidiaSmiXmlCollector } from '../../collectors/nvidia-smi/nvidia-smi-xml-collector.ts';
import { createSpoolingSink } from '../../collectors/spool/spooling-sink.ts';
import {
  GpuSampleBatchSchema,
  Topics,
  type GpuSampleBatch,
  type RecordBus,
  type RecordSink,
} from '../../contracts/index.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { createPrivateStack, type PrivateStack } from '../helpers/private-stack.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

const FAKE_NVIDIA_SMI = resolve(import.meta.dirname, '../../bin/fake-nvidia-smi.js');
const GTX_1070 = fixturePath('nvidia-smi-xml', 'openpai__gtx-1070__384.66__procs__attached6-2elems.xml');
/** kafkajs logs every failed connection while the broker is down: expected here, so errors only past fatal. */
const quiet = pino({ level: 'fatal' });
const INTERVAL_MS = 100;

/**
 * Delivery without loss on a REAL broker of this test's own: an agent samples every 100 ms through
 * the spooling sink while the broker is stopped and started; a second agent (new process state,
 * same spool dir) starts while the first one's backlog is still on disk. Every (bootId, seq) that
 * either agent produced must be in the topic.
 */
describe('agent fault tolerance on a private Kafka', () => {
  let stack: PrivateStack;
  const dir = mkdtempSync(join(tmpdir(), 'agent-fault-spool-'));
  const topicPrefix = `${uniqueName('fault')}.`;
  const busFor = (clientId: string): RecordBus =>
    createKafkaBus({
      brokers: stack.config.endpoints.kafkaBrokers,
      clientId,
      topicPrefix,
      logger: quiet,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 3000,
      sendRetries: 2,
    });
  const spoolFor = (bus: RecordBus) =>
    createSpoolingSink(
      bus,
      {
        dir,
        maxBytes: 16 << 20,
        fsync: 'interval',
        fsyncIntervalMs: 100,
        retryInitialMs: 100,
        retryMaxMs: 500,
        sendTimeoutMs: 10_000,
        closeTimeoutMs: 1500,
      },
      { logger: quiet, now: Date.now },
    );
  /** Starts an agent through a fresh bus and spool on `dir`; records the seq of every batch it sent. */
  const startAgent = async (node: string) => {
    const bus = busFor(`agent-${node}`);
    const spool = await spoolFor(bus);
    const sent: number[] = [];
    const failed: unknown[] = [];
    const observer: AgentObserver = {
      collected: () => undefined,
      ticked: (o) => (o.ok ? sent.push(o.batch.seq) : failed.push(o.error)),
    };
    const collector = createNvidiaSmiXmlCollector(
      { path: FAKE_NVIDIA_SMI, timeoutMs: 10_000, maxOutputBytes: 1 << 24, env: { FAKE_NVIDIA_SMI_XML: GTX_1070 } },
      Date.now,
    );
    const agent = createAgent(
      { gpuCollector: collector, sink: spool, logger: quiet, now: Date.now, observer },
      { agentId: `test/${node}`, cluster: 'test', node },
    );
    agent.start(INTERVAL_MS);
    return {
      agent,
      spool,
      sent,
      failed,
      async close() {
        await agent.close();
        await spool.close();
        await bus.close();
      },
    };
  };

  beforeAll(async () => {
    stack = await createPrivateStack(['kafka']);
    const admin = busFor('admin');
    await admin.ensureTopics([Topics.gpuSamples]);
    await admin.close();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('broker down and up, then an agent restart with a non-empty spool: every (bootId, seq) arrives', async () => {
    const node = uniqueName('fault-node');
    const first = await startAgent(node);
    await waitFor('first batches acknowledged', () => first.spool.stats().deliveredRecords >= 5, 30_000);

    await stack.stop('kafka');
    const [ticksAtStop, stoppedAtMs] = [first.sent.length, Date.now()];
    await waitFor(
      'sampling goes on while the broker is down',
      () => first.sent.length >= ticksAtStop + 15 && first.spool.stats().pendingRecords >= 10,
      30_000,
    );
    // 15 ticks at 100 ms plus a fake nvidia-smi run each: seconds, not 15 Kafka retry cycles
    expect(Date.now() - stoppedAtMs).toBeLessThan(10_000);
    expect(first.spool.stats().consecutiveFailures).toBeGreaterThan(0);
    await stack.start('kafka');
    await waitFor(
      'backlog replayed after the broker came back',
      () => first.spool.stats().pendingRecords === 0,
      60_000,
    );
    expect(first.spool.stats().replayedRecords).toBeGreaterThanOrEqual(10);

    await stack.stop('kafka');
    await waitFor(
      'a new backlog while the broker is down again',
      () => first.spool.stats().pendingRecords >= 10,
      30_000,
    );
    await first.close();
    const leftOnDisk = first.spool.stats().pendingRecords;
    expect(leftOnDisk).toBeGreaterThanOrEqual(10);
    await stack.start('kafka');

    const second = await startAgent(node);
    expect(second.spool.stats().pendingRecords).toBeGreaterThanOrEqual(leftOnDisk);
    await waitFor(
      'the first run’s backlog and the second run’s batches delivered',
      () => second.sent.length >= 10 && second.spool.stats().pendingRecords === 0,
      60_000,
    );
    await second.close();
    expect([...first.failed, ...second.failed]).toEqual([]);
    expect(second.spool.stats().replayedRecords).toBeGreaterThanOrEqual(leftOnDisk);

    const reader = busFor('reader');
    const got: GpuSampleBatch[] = [];
    const expected = first.sent.length + second.sent.length;
    const sub = await reader.subscribe({
      groupId: uniqueName('fault-check'),
      topics: [Topics.gpuSamples],
      fromBeginning: true,
      handleBatch: async (b) => void got.push(...b.records.map((r) => GpuSampleBatchSchema.parse(JSON.parse(r.value)))),
    });
    await waitFor(
      `${expected} distinct batches consumed`,
      () => new Set(got.map((b) => `${b.bootId}/${b.seq}`)).size >= expected,
      60_000,
    );
    await sub.close();
    await reader.close();

    for (const run of [first, second]) {
      const seqs = got.filter((b) => b.bootId === run.agent.bootId).map((b) => b.seq);
      expect([...new Set(seqs)].sort((a, b) => a - b)).toEqual(run.sent.map((_, i) => i)); // 0..n-1, none lost
      const firstSeen = seqs.filter((s, i) => seqs.indexOf(s) === i);
      expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b)); // first deliveries in seq order
    }
    const duplicates = got.length - new Set(got.map((b) => `${b.bootId}/${b.seq}`)).size;
    console.info(
      `agent-fault: boots ${first.sent.length} + ${second.sent.length} batches, ${got.length} delivered, ${duplicates} duplicates, ${leftOnDisk} left on disk across the restart`,
    );
  }, 110_000);

  it('replay rate: a spool of 20 000 real-sized agent batches drains into the broker, every seq once', async () => {
    const N = 20_000;
    const replayDir = mkdtempSync(join(tmpdir(), 'agent-replay-spool-'));
    const memory = createMemoryBus();
    const collector = createNvidiaSmiXmlCollector(
      { path: FAKE_NVIDIA_SMI, timeoutMs: 10_000, maxOutputBytes: 1 << 24, env: { FAKE_NVIDIA_SMI_XML: GTX_1070 } },
      Date.now,
    );
    const template = await createAgent(
      { gpuCollector: collector, sink: memory, logger: quiet, now: Date.now },
      { agentId: 'test/replay', cluster: 'test', node: 'replay-node' },
    ).tick();
    const down: RecordSink = { send: () => Promise.reject(new Error('broker down')), close: async () => undefined };
    const config = {
      dir: replayDir,
      maxBytes: 256 << 20,
      fsync: 'never' as const,
      retryInitialMs: 100,
      retryMaxMs: 500,
      closeTimeoutMs: 100,
    };
    const fill = await createSpoolingSink(down, config, { logger: quiet, now: Date.now });
    const bootId = `replay-${uniqueName('boot')}`;
    for (let seq = 0; seq < N; seq++)
      await fill.send(Topics.gpuSamples, [{ key: 'replay-node', value: JSON.stringify({ ...template, bootId, seq }) }]);
    await fill.close();
    const backlog = fill.stats();
    expect(backlog.pendingRecords).toBe(N);

    const bus = busFor('replay');
    const started = performance.now();
    const replay = await createSpoolingSink(bus, config, { logger: quiet, now: Date.now });
    await waitFor('backlog drained', () => replay.stats().pendingRecords === 0, 90_000, 5);
    const seconds = (performance.now() - started) / 1000;
    expect(replay.stats()).toMatchObject({ deliveredRecords: N, replayedRecords: N });
    await replay.close();

    const seen = new Set<number>();
    const sub = await bus.subscribe({
      groupId: uniqueName('replay-check'),
      topics: [Topics.gpuSamples],
      handleBatch: async (b) =>
        b.records.forEach((r) => r.value.includes(bootId) && seen.add((JSON.parse(r.value) as GpuSampleBatch).seq)),
    });
    await waitFor(`${N} replayed seqs consumed`, () => seen.size === N, 60_000);
    await sub.close();
    await bus.close();
    rmSync(replayDir, { recursive: true, force: true });
    console.info(
      `agent-fault replay rate: ${N} batches (${(backlog.pendingBytes / 2 ** 20).toFixed(1)} MiB spooled) in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)} records/s, ${(backlog.pendingBytes / 2 ** 20 / seconds).toFixed(1)} MiB/s`,
    );
  }, 110_000);
});
