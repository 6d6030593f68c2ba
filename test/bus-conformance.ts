import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredRecord, RecordBus, SubscribeOptions, Subscription } from '../contracts/bus.ts';
import { uniqueName, waitFor } from './helpers/wait-for.ts';

/** What a consuming test sees: every delivered record, in delivery order. */
function collector() {
  const seen: DeliveredRecord[] = [];
  return { seen, values: () => seen.map((r) => r.value) };
}

/**
 * The record-bus contract. Every RecordBus implementation (Kafka, in-process) runs this suite.
 * `timeoutMs` is generous for Kafka group joins on a 2-core machine.
 */
export function describeBusConformance(name: string, makeBus: () => Promise<RecordBus>, timeoutMs = 45_000): void {
  describe(`record bus conformance: ${name}`, () => {
    let bus: RecordBus;
    const subs: Subscription[] = [];
    const subscribe = async (options: SubscribeOptions) => {
      const s = await bus.subscribe(options);
      subs.push(s);
      return s;
    };

    beforeAll(async () => {
      bus = await makeBus();
    });
    afterAll(async () => {
      for (const s of subs) await s.close();
      await bus.close();
    });

    it(
      'delivers every record once per group, in order per key',
      async () => {
        const topic = uniqueName('conf_order');
        await bus.ensureTopics([topic], { partitions: 3 });
        const records = Array.from({ length: 60 }, (_, i) => ({
          key: `node-${i % 4}`,
          value: JSON.stringify({ n: i, node: i % 4 }),
        }));
        await bus.send(topic, records.slice(0, 30));
        await bus.send(topic, records.slice(30));
        const c = collector();
        await subscribe({
          groupId: uniqueName('g'),
          topics: [topic],
          handleBatch: async (b) => void c.seen.push(...b.records),
        });
        await waitFor('60 records', () => c.seen.length >= 60, timeoutMs);
        expect(c.seen).toHaveLength(60);
        for (let node = 0; node < 4; node++) {
          const ns = c.seen
            .map((r) => JSON.parse(r.value) as { n: number; node: number })
            .filter((v) => v.node === node)
            .map((v) => v.n);
          expect(ns).toEqual([...ns].sort((a, b) => a - b));
          expect(ns).toHaveLength(15);
        }
        // All records of one key come from one partition.
        const partitionsOfKey = new Set(c.seen.filter((r) => r.key === 'node-1').map((r) => r.partition));
        expect(partitionsOfKey.size).toBe(1);
        expect(c.seen.every((r) => r.topic === topic && /^\d+$/.test(r.offset))).toBe(true);
      },
      timeoutMs * 2,
    );

    it(
      'concurrent sends all land, in the order they were issued per key',
      async () => {
        const topic = uniqueName('conf_concurrent');
        await bus.ensureTopics([topic], { partitions: 2 });
        await Promise.all(
          Array.from({ length: 200 }, (_, i) => bus.send(topic, [{ key: `k${i % 2}`, value: String(i) }])),
        );
        const c = collector();
        await subscribe({
          groupId: uniqueName('g'),
          topics: [topic],
          handleBatch: async (b) => void c.seen.push(...b.records),
        });
        await waitFor('200 records', () => c.seen.length >= 200, timeoutMs);
        for (const key of ['k0', 'k1']) {
          const values = c.seen.filter((r) => r.key === key).map((r) => Number(r.value));
          expect(values).toHaveLength(100);
          expect(values).toEqual([...values].sort((a, b) => a - b));
        }
      },
      timeoutMs * 2,
    );

    it(
      'redelivers a batch whose handler failed, and nothing is lost',
      async () => {
        const topic = uniqueName('conf_retry');
        await bus.ensureTopics([topic]);
        await bus.send(
          topic,
          Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })),
        );
        const c = collector();
        let failures = 0;
        let errorsReported = 0;
        await subscribe({
          groupId: uniqueName('g'),
          topics: [topic],
          handleBatch: async (b) => {
            if (failures < 2) {
              failures++;
              throw new Error('store down');
            }
            c.seen.push(...b.records);
          },
          onError: () => void errorsReported++,
        });
        await waitFor('10 records after retries', () => c.seen.length >= 10, timeoutMs);
        expect(failures).toBe(2);
        expect(errorsReported).toBe(2);
        expect(c.values()).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
      },
      timeoutMs * 2,
    );

    it(
      'a restarted consumer resumes at the committed offset',
      async () => {
        const topic = uniqueName('conf_resume');
        const groupId = uniqueName('g');
        await bus.ensureTopics([topic]);
        await bus.send(
          topic,
          Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: `a${i}` })),
        );
        const first = collector();
        const s1 = await bus.subscribe({
          groupId,
          topics: [topic],
          handleBatch: async (b) => void first.seen.push(...b.records),
        });
        await waitFor('first 5', () => first.seen.length >= 5, timeoutMs);
        await s1.close();
        await bus.send(
          topic,
          Array.from({ length: 3 }, (_, i) => ({ key: 'k', value: `b${i}` })),
        );
        const second = collector();
        await subscribe({ groupId, topics: [topic], handleBatch: async (b) => void second.seen.push(...b.records) });
        await waitFor('next 3', () => second.seen.length >= 3, timeoutMs);
        // Give a wrongly-rewound consumer the chance to show itself.
        await new Promise((r) => setTimeout(r, 500));
        expect(first.values()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
        expect(second.values()).toEqual(['b0', 'b1', 'b2']);
        expect(Number(second.seen[0]!.offset)).toBe(5);
      },
      timeoutMs * 3,
    );

    it(
      'groups are independent: each group gets every record',
      async () => {
        const topic = uniqueName('conf_groups');
        await bus.ensureTopics([topic]);
        await bus.send(topic, [
          { key: null, value: 'x' },
          { key: null, value: 'y' },
        ]);
        const a = collector();
        const b = collector();
        await subscribe({
          groupId: uniqueName('ga'),
          topics: [topic],
          handleBatch: async (x) => void a.seen.push(...x.records),
        });
        await subscribe({
          groupId: uniqueName('gb'),
          topics: [topic],
          handleBatch: async (x) => void b.seen.push(...x.records),
        });
        await waitFor('both groups', () => a.seen.length >= 2 && b.seen.length >= 2, timeoutMs);
        expect(a.values().sort()).toEqual(['x', 'y']);
        expect(b.values().sort()).toEqual(['x', 'y']);
      },
      timeoutMs * 2,
    );

    it(
      'a compacted topic still delivers the latest value of every key to a consumer that starts later',
      async () => {
        const topic = uniqueName('conf_compacted');
        await bus.ensureTopics([topic], { partitions: 2, compacted: true });
        for (let round = 1; round <= 3; round++)
          await bus.send(topic, [
            { key: 'node-a', value: `a${round}` },
            { key: 'node-b', value: `b${round}` },
          ]);
        const latest = new Map<string, string>();
        await subscribe({
          groupId: uniqueName('g'),
          topics: [topic],
          handleBatch: async (b) => void b.records.forEach((r) => latest.set(r.key ?? '', r.value)),
        });
        await waitFor(
          'both keys at their latest value',
          () => latest.get('node-a') === 'a3' && latest.get('node-b') === 'b3',
          timeoutMs,
        );
        expect(Object.fromEntries(latest)).toEqual({ 'node-a': 'a3', 'node-b': 'b3' });
      },
      timeoutMs * 2,
    );

    it(
      'ensureTopics is idempotent and consumers of several topics see each topic name',
      async () => {
        const t1 = uniqueName('conf_multi1');
        const t2 = uniqueName('conf_multi2');
        await bus.ensureTopics([t1, t2]);
        await bus.ensureTopics([t1, t2]);
        await bus.send(t1, [{ key: 'a', value: '1' }]);
        await bus.send(t2, [{ key: 'a', value: '2' }]);
        const c = collector();
        await subscribe({
          groupId: uniqueName('g'),
          topics: [t1, t2],
          handleBatch: async (b) => void c.seen.push(...b.records),
        });
        await waitFor('both topics', () => c.seen.length >= 2, timeoutMs);
        expect(c.seen.map((r) => `${r.topic}=${r.value}`).sort()).toEqual([`${t1}=1`, `${t2}=2`].sort());
      },
      timeoutMs * 2,
    );
  });
}
