/**
 * `gpu-ledger deadletters list|redrive` on the shared Kafka and ClickHouse server: records the
 * pipeline rejected are listed with reason and source position, filtered, and after a fix (here: a
 * clock-skew limit set too strict) re-published to their source topic; redriving twice changes no count.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../bench/ingest-fleet.ts';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import type { DeadLetter, RecordBus } from '../../contracts/index.ts';
import { INGEST_TOPICS, Topics } from '../../contracts/index.ts';
import { createPipelineRuntime, type PipelineRuntime } from '../../pipeline/runtime.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { createKafkaAdmin } from '../../bus/kafka-admin.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';
import { pipelineEnv, type PipelineTarget } from './pipeline-harness.ts';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../bin/gpu-ledger.js');
const services = loadTestServices(process.env);
const NOW = Date.now();
const fleet = buildFleet({ fixturesDir: fixturePath(), nodes: 7, gpusPerNode: 8, cluster: 'dl', runId: 'deadletters' });
const AHEAD = 'ahead of the pipeline clock';

describe('gpu-ledger deadletters (shared Kafka + ClickHouse)', () => {
  const target: PipelineTarget = {
    kafkaBrokers: services.kafkaBrokers,
    clickhouseUrl: services.clickhouseUrl,
    database: uniqueName('dl_db'),
    topicPrefix: `${uniqueName('dl')}.`,
  };
  const groupId = uniqueName('dl-group');
  let producer: RecordBus;
  let store: TelemetryStore;
  let pipeline: PipelineRuntime;
  const cli = async (...args: string[]) =>
    (await run(process.execPath, [CLI, 'deadletters', ...args], { env: pipelineEnv(target), timeout: 60_000 })).stdout;
  const startPipeline = async (maxFutureSkewMs: number) => {
    const runtime = createPipelineRuntime(
      {
        bus: createKafkaBus({
          brokers: target.kafkaBrokers,
          clientId: 'dl-pipeline',
          topicPrefix: target.topicPrefix,
          logger: testLogger('kafka'),
        }),
        store,
        logger: testLogger('pipeline'),
        now: Date.now,
      },
      { groupId, ingest: { validation: { maxFutureSkewMs } }, rollups: null, telemetryGaps: null, retention: null },
    );
    await runtime.start();
    return runtime;
  };

  beforeAll(async () => {
    producer = createKafkaBus({
      brokers: target.kafkaBrokers,
      clientId: 'dl-producer',
      topicPrefix: target.topicPrefix,
      logger: testLogger('kafka'),
    });
    await producer.ensureTopics([...INGEST_TOPICS, Topics.deadLetters]);
    store = createTelemetryStore(
      createClickHouseServerExecutor({ url: target.clickhouseUrl, requestTimeoutMs: 30_000 }),
      { database: target.database },
    );
    await store.migrate();
    // A pipeline whose clock-skew limit is too strict: batches stamped a minute ahead are refused.
    pipeline = await startPipeline(10_000);
    await producer.send(Topics.gpuSamples, [
      ...fleet.slice(0, 4).map((n) => ({ key: n.node, value: n.render(0, NOW - 5_000) })),
      ...fleet.slice(4).map((n) => ({ key: n.node, value: n.render(0, NOW + 60_000) })),
      { key: 'broken', value: '{"schemaVersion":1,"agentId":' },
    ]);
    await waitFor(
      '4 stored, 4 dead-lettered',
      () => pipeline.ingest.stats.accepted >= 4 && pipeline.ingest.stats.deadLetters >= 4,
      60_000,
    );
    // The fix: a pipeline with the default limit (a day) takes over the group.
    await pipeline.close();
    pipeline = await startPipeline(86_400_000);
  }, 120_000);

  afterAll(async () => {
    await pipeline?.close();
    await store?.executor.command(sql`DROP DATABASE IF EXISTS ${ident(target.database)}`);
    await store?.close();
    await producer?.close();
  }, 60_000);

  it('lists every dead letter with its reason and source position (--json), and filters by reason', async () => {
    const letters = (await cli('list', '--json'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DeadLetter & { deadLetterOffset: string });
    expect(letters).toHaveLength(4);
    expect(
      letters
        .filter((l) => l.reason.includes(AHEAD))
        .map((l) => (JSON.parse(l.payload) as { node: string }).node)
        .sort(),
    ).toEqual(fleet.slice(4).map((n) => n.node));
    expect(letters.filter((l) => l.reason.startsWith('invalid JSON'))).toHaveLength(1);
    for (const l of letters) {
      expect(l).toMatchObject({ sourceTopic: Topics.gpuSamples, partition: 0 });
      expect(l.offset).toMatch(/^\d+$/);
    }
    const table = await cli('list', '--reason', 'invalid-json', '--since', '1h');
    expect(table).toMatch(/invalid JSON/);
    expect(table.trim().split('\n').at(-1)).toBe('1 dead letters, invalid-json: 1');
  }, 60_000);

  it('redrives the fixed records to their source topic; a dry run publishes nothing; a second redrive counts nothing twice', async () => {
    const admin = createKafkaAdmin({
      brokers: target.kafkaBrokers,
      clientId: 'dl-admin',
      topicPrefix: target.topicPrefix,
    });
    const end = async () => [...(await admin.endOffsets(Topics.gpuSamples)).values()].reduce((a, b) => a + b, 0n);
    const before = await end();
    expect(await cli('redrive', '--reason', AHEAD, '--dry-run')).toMatch(
      /^dry run: would redrive 3 of 3 dead letters\n {2}telemetry\.gpu-samples\.v1: 3\n0 duplicate payloads, 0 truncated payloads skipped/,
    );
    expect(await end()).toBe(before);

    expect(await cli('redrive', '--reason', AHEAD)).toMatch(/^redrove 3 of 3 dead letters/);
    expect(await end()).toBe(before + 3n);
    await waitFor(
      'the redriven batches stored',
      async () => (await store.countRows(StoreTable.ingestBatches)) === 7,
      60_000,
      200,
    );
    expect(await store.countRows(StoreTable.gpuSamples)).toBe(7 * 8);

    const accepted = pipeline.ingest.stats.accepted;
    expect(await cli('redrive', '--reason', AHEAD)).toMatch(/^redrove 3 of 3 dead letters/);
    await waitFor('the second redrive consumed', () => pipeline.ingest.stats.accepted >= accepted + 3, 60_000);
    expect(await store.countRows(StoreTable.gpuSamples)).toBe(7 * 8);
    expect(await store.countRows(StoreTable.ingestBatches)).toBe(7);
    await admin.close();
  }, 120_000);
});
