import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingRecord, RecordSink } from '../../contracts/bus.ts';
import { exampleGpuSampleBatch, Topics } from '../../contracts/index.ts';
import { pino } from 'pino';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { createSpoolingSink, type SpoolingSinkConfig } from './spooling-sink.ts';

/** Stand-in for Kafka behind the RecordSink interface: up (keeps what it got) or down (fails after `failAfterMs`, or hangs). */
function switchableSink() {
  const got: { topic: string; record: OutgoingRecord }[] = [];
  const sink = {
    up: true,
    hang: false,
    got,
    seqs: (topic: string = Topics.gpuSamples) =>
      got.filter((g) => g.topic === topic).map((g) => (JSON.parse(g.record.value) as { seq: number }).seq),
    async send(topic: string, records: readonly OutgoingRecord[]) {
      if (sink.hang) return new Promise<void>(() => undefined);
      if (!sink.up) throw new Error('broker unreachable');
      for (const record of records) got.push({ topic, record });
    },
    close: async () => undefined,
  } satisfies RecordSink & Record<string, unknown>;
  return sink;
}

const batch = (seq: number): OutgoingRecord[] => [
  { key: exampleGpuSampleBatch.node, value: JSON.stringify({ ...exampleGpuSampleBatch, seq }) },
];
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('spooling sink', () => {
  let dir: string;
  const open = (inner: RecordSink, more: Partial<SpoolingSinkConfig> = {}) =>
    createSpoolingSink(
      inner,
      {
        dir,
        maxBytes: 1 << 20,
        fsync: 'never',
        retryInitialMs: 5,
        retryMaxMs: 20,
        closeTimeoutMs: 300,
        cursorFlushMs: 10,
        ...more,
      },
      { logger: pino({ level: 'silent' }), now: Date.now },
    );
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('while the inner sink is down, send returns at once and the backlog is replayed in order, per topic', async () => {
    const inner = switchableSink();
    const spool = await open(inner);
    inner.up = false;
    for (const seq of range(40)) {
      await spool.send(Topics.gpuSamples, batch(seq));
      if (seq % 4 === 0) await spool.send(Topics.modelServerSamples, [{ key: 'n', value: JSON.stringify({ seq }) }]);
    }
    expect(spool.stats()).toMatchObject({ pendingRecords: 50, deliveredRecords: 0 });
    inner.up = true;
    await waitFor('backlog delivered', () => spool.stats().pendingRecords === 0, 5000);
    expect(inner.seqs()).toEqual(range(40));
    expect(inner.seqs(Topics.modelServerSamples)).toEqual(range(10).map((i) => i * 4));
    expect(spool.stats()).toMatchObject({ deliveredRecords: 50, replayedRecords: 50, evictedRecords: 0 });
    expect(spool.stats().consecutiveFailures).toBe(0);
    await spool.close();
  });

  it('send does not wait for an inner send that hangs (kafkajs retrying); close gives up after its timeout', async () => {
    const inner = switchableSink();
    inner.hang = true;
    const spool = await open(inner, { sendTimeoutMs: 60_000 });
    const started = performance.now();
    for (const seq of range(20)) await spool.send(Topics.gpuSamples, batch(seq));
    expect(performance.now() - started).toBeLessThan(1000);
    const closing = performance.now();
    await spool.close();
    expect(performance.now() - closing).toBeLessThan(1000);
    expect(spool.stats().pendingRecords).toBe(20);
  });

  it('survives a restart: a new sink on the same dir delivers what the old one could not, oldest first', async () => {
    const inner = switchableSink();
    const first = await open(inner);
    for (const seq of range(10)) await first.send(Topics.gpuSamples, batch(seq));
    await waitFor('first 10 delivered', () => first.stats().deliveredRecords === 10, 5000);
    inner.up = false;
    for (const seq of range(15, 10)) await first.send(Topics.gpuSamples, batch(seq));
    await first.close();
    expect(first.stats().pendingRecords).toBe(15);

    inner.up = true;
    const second = await open(inner);
    await waitFor('backlog of the first run delivered', () => second.stats().pendingRecords === 0, 5000);
    await second.send(Topics.gpuSamples, batch(25));
    await waitFor('new batch delivered', () => second.stats().deliveredRecords === 16, 5000);
    expect(inner.seqs()).toEqual(range(26));
    expect(second.stats()).toMatchObject({ replayedRecords: 15, tornTails: 0 });
    await second.close();
    const third = await open(inner);
    expect(third.stats().pendingRecords).toBe(0); // the cursor says all of it was delivered
    await third.close();
  });

  it('at the bound it evicts the oldest entries (counted), keeps the newest, and stays within maxBytes', async () => {
    const inner = switchableSink();
    inner.up = false;
    const maxBytes = 16 * 1024;
    const spool = await open(inner, { maxBytes, segmentBytes: 4096 });
    for (const seq of range(60)) await spool.send(Topics.gpuSamples, batch(seq));
    const s = spool.stats();
    expect(s.evictedRecords).toBeGreaterThan(0);
    expect(s.diskBytes).toBeLessThanOrEqual(maxBytes);
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('segment-'))
        .reduce((n, f) => n + statSync(join(dir, f)).size, 0),
    ).toBeLessThanOrEqual(maxBytes);
    expect(s.evictedRecords + s.pendingRecords).toBe(60);
    inner.up = true;
    await waitFor('rest delivered', () => spool.stats().pendingRecords === 0, 5000);
    expect(inner.seqs()).toEqual(range(60 - s.evictedRecords, s.evictedRecords));
    await spool.close();
  });

  it('a torn tail (crash mid-append) is truncated with a counted warning; every whole entry is delivered', async () => {
    const inner = switchableSink();
    inner.up = false;
    const first = await open(inner);
    for (const seq of range(5)) await first.send(Topics.gpuSamples, batch(seq));
    await first.close();
    const [segment] = readdirSync(dir).filter((f) => f.startsWith('segment-'));
    const path = join(dir, segment!);
    const whole = statSync(path).size;
    appendFileSync(path, readFileSync(path).subarray(0, 300)); // a frame header and part of its payload
    inner.up = true;
    const second = await open(inner);
    expect(second.stats().tornTails).toBe(1);
    await waitFor('whole entries delivered', () => second.stats().pendingRecords === 0, 5000);
    expect(inner.seqs()).toEqual(range(5));
    expect(statSync(path, { throwIfNoEntry: false })?.size ?? whole).toBe(whole);
    await second.close();
  });

  it('an entry over the size limit is refused with a clear error; the entries around it are delivered', async () => {
    const inner = switchableSink();
    const spool = await open(inner, { maxEntryBytes: 8192 });
    await spool.send(Topics.gpuSamples, batch(0));
    await expect(spool.send(Topics.gpuSamples, [{ key: 'n', value: 'x'.repeat(10_000) }])).rejects.toThrow(
      /exceeds the limit of 8192; not spooled/,
    );
    await spool.send(Topics.gpuSamples, batch(1));
    await waitFor('delivered', () => spool.stats().pendingRecords === 0, 5000);
    expect(inner.seqs()).toEqual([0, 1]);
    await spool.close();
  });

  it('fsync always and interval keep the same order and delivery', async () => {
    for (const fsync of ['always', 'interval'] as const) {
      const inner = switchableSink();
      const spool = await open(inner, { fsync, fsyncIntervalMs: 20, dir: join(dir, fsync) });
      for (const seq of range(10)) await spool.send(Topics.gpuSamples, batch(seq));
      await waitFor('delivered', () => spool.stats().pendingRecords === 0, 5000);
      expect(inner.seqs()).toEqual(range(10));
      await spool.close();
    }
  });

  it('sendIntervalMs: while caught up, the sends of one interval reach the inner sink in one call', async () => {
    const inner = switchableSink();
    const calls: number[] = [];
    const spool = await open(
      { send: async (topic, records) => (calls.push(records.length), inner.send(topic, records)), close: inner.close },
      { sendIntervalMs: 500 },
    );
    await spool.send(Topics.gpuSamples, batch(0));
    await waitFor('the first send delivered at once', () => spool.stats().deliveredRecords === 1, 2000);
    for (const seq of range(4, 1)) await spool.send(Topics.gpuSamples, batch(seq));
    await new Promise((r) => setTimeout(r, 200));
    expect(spool.stats().deliveredRecords).toBe(1); // gathering
    await waitFor('the next four delivered together', () => spool.stats().deliveredRecords === 5, 2000);
    expect([calls, inner.seqs()]).toEqual([[1, 4], range(5)]);
    await spool.close();
  });

  it('sendIntervalMs: close delivers what is gathering at once, not after the interval', async () => {
    const inner = switchableSink();
    const spool = await open(inner, { sendIntervalMs: 60_000, closeTimeoutMs: 10_000 });
    await spool.send(Topics.gpuSamples, batch(0));
    await waitFor('the first send delivered', () => spool.stats().deliveredRecords === 1, 2000);
    await spool.send(Topics.gpuSamples, batch(1));
    const started = Date.now();
    await spool.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(inner.seqs()).toEqual([0, 1]);
  });
});
