import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../bench/ingest-fleet.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import type { DeadLetter, RecordBus } from '../../contracts/index.ts';
import { Topics } from '../../contracts/index.ts';
import { fixturePath } from '../../test/helpers/fixtures.ts';
import { testLogger } from '../../test/helpers/services.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { createChdbExecutor } from '../store/chdb-executor.ts';
import { StoreUnavailableError } from '../store/errors.ts';
import { ident, sql } from '../store/sql.ts';
import { createTelemetryStore, StoreTable, type TelemetryStore } from '../store/telemetry-store.ts';
import { createIngestConsumer } from './ingest-consumer.ts';
import { createStoreWriters } from './store-writers.ts';

// Embedded mode end to end: the in-process bus and chDB (one data directory for this file).
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-ingest-'));
const fleet = buildFleet({ fixturesDir: fixturePath(), nodes: 6, gpusPerNode: 8, cluster: 'unit', runId: 'consumer' });
const NOW = Date.now();

describe('ingest consumer (in-process bus, chDB)', () => {
  const executor = createChdbExecutor({ dataDir });
  let store: TelemetryStore;
  beforeAll(async () => {
    store = createTelemetryStore(executor, { database: 'ingest_unit' });
    await store.migrate();
  });
  afterAll(async () => {
    await executor.command(sql`DROP DATABASE IF EXISTS ${ident('ingest_unit')}`);
    await executor.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('pauses while the store is down: no commit, no dead letter, the redelivered batch joins the queued one; then stores everything once', async () => {
    const bus: RecordBus = createMemoryBus({ defaultPartitions: 3, retryDelayMs: 20 });
    const letters: DeadLetter[] = [];
    await bus.subscribe({
      groupId: 'dl',
      topics: [Topics.deadLetters],
      handleBatch: async (b) => void letters.push(...b.records.map((r) => JSON.parse(r.value) as DeadLetter)),
    });
    let down = true;
    let refused = 0;
    const writers = createStoreWriters(store, Date.now);
    const logLines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({ write: (chunk: Buffer, _e, done) => void (logLines.push(chunk.toString()), done()) }),
    );
    const consumer = createIngestConsumer({
      bus,
      logger,
      now: Date.now,
      random: () => 0.5,
      writers: {
        ...writers,
        gpuSamples: async (items) =>
          down
            ? Promise.reject(new StoreUnavailableError(`down (${++refused})`, { query: 'INSERT' }))
            : writers.gpuSamples(items),
      },
      config: { members: 2, maxHandlerWaitMs: 150, backoff: { initialMs: 20, maxMs: 40 } },
    });
    await consumer.start({ groupId: 'ingest' });
    await bus.send(
      Topics.gpuSamples,
      fleet.map((n) => ({ key: n.node, value: n.render(1, NOW - 10_000) })),
    );
    // Longer than maxHandlerWaitMs: the handlers give up, the bus redelivers, the copies join the queued records.
    await waitFor('retries for longer than a handler waits', () => refused >= 12, 10_000);
    expect(consumer.stats.accepted).toBe(0);
    expect(consumer.stats.storeRetries).toBeGreaterThanOrEqual(5);
    down = false;
    await waitFor('all 6 batches stored', () => consumer.stats.accepted >= 6, 10_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(consumer.stats.accepted).toBe(6);
    expect(logLines.some((l) => l.includes('IngestBackpressureError'))).toBe(true);
    await consumer.close();
    await bus.close();
    expect(letters).toEqual([]);
    expect(await store.countRows(StoreTable.ingestBatches)).toBe(6);
    expect(await store.countRows(StoreTable.gpuSamples)).toBe(48);
  });

  it('handleBatch alone stores a batch and resolves only then (no members: flush at once)', async () => {
    const bus = createMemoryBus();
    const consumer = createIngestConsumer({
      bus,
      writers: createStoreWriters(store, Date.now),
      logger: testLogger('ingest'),
      now: Date.now,
    });
    const value = fleet[0]!.render(2, NOW - 5_000);
    await consumer.handleBatch({
      topic: Topics.gpuSamples,
      partition: 0,
      records: [{ topic: Topics.gpuSamples, partition: 0, offset: '0', key: 'n', value, timestampMs: NOW }],
    });
    expect(consumer.stats).toMatchObject({ accepted: 1, deadLetters: 0 });
    expect(await store.countRows(StoreTable.ingestBatches)).toBe(7);
    await consumer.close();
  });
});
