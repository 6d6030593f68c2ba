import { describe, expect, it } from 'vitest';
import { createKafkaAdmin } from '../../bus/kafka-admin.ts';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { describeBusConformance } from '../bus-conformance.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

const services = loadTestServices(process.env);

describeBusConformance('kafka', () =>
  Promise.resolve(
    createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'bus-conformance',
      logger: testLogger('kafka-bus'),
      topicPrefix: 'conformance.',
    }),
  ),
);

describe('kafka bus producer', () => {
  // Many agents' spools send at once through one bus (the accuracy bench, a pipeline's dead letters):
  // requests must go one at a time (kafkajs' idempotent producer refuses overlapping ones with
  // OUT_OF_ORDER_SEQUENCE_NUMBER) and each must stay under the broker's 1 MiB message.max.bytes.
  it('staggered concurrent sends, 6 MiB in all, land in order per key with no request refused', async () => {
    const errors: string[] = [];
    const logger = testLogger('kafka-bus');
    logger.error = (obj: unknown) => void errors.push(JSON.stringify(obj));
    const bus = createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'bus-producer',
      logger,
      topicPrefix: 'producer.',
    });
    const topic = uniqueName('big_concurrent');
    const seen: { key: string | null; n: number }[] = [];
    try {
      await bus.ensureTopics([topic], { partitions: 2 });
      const pad = 'x'.repeat(20_000);
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 300; i++) {
        sends.push(bus.send(topic, [{ key: `k${i % 3}`, value: JSON.stringify({ n: i, pad }) }]));
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(sends);
      await bus.subscribe({
        groupId: uniqueName('g'),
        topics: [topic],
        handleBatch: async (b) =>
          void seen.push(...b.records.map((r) => ({ key: r.key, n: (JSON.parse(r.value) as { n: number }).n }))),
      });
      await waitFor('300 records', () => seen.length >= 300, 45_000);
      expect(seen).toHaveLength(300);
      for (const key of ['k0', 'k1', 'k2']) {
        const ns = seen.filter((r) => r.key === key).map((r) => r.n);
        expect(ns).toEqual([...ns].sort((a, b) => a - b));
      }
      expect(errors).toEqual([]);
    } finally {
      await bus.close();
    }
  }, 90_000);
});

describe('kafka bus topics', () => {
  it('creates a compacted topic with cleanup.policy=compact and hourly segments; a plain one keeps delete', async () => {
    const prefix = `${uniqueName('compact')}.`;
    const bus = createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'bus-compact',
      logger: testLogger('kafka-bus'),
      topicPrefix: prefix,
    });
    const admin = createKafkaAdmin({
      brokers: services.kafkaBrokers,
      clientId: 'bus-compact-admin',
      topicPrefix: prefix,
    });
    try {
      await bus.ensureTopics(['hints'], { compacted: true });
      await bus.ensureTopics(['plain']);
      const hints = await admin.topicConfig('hints');
      expect([hints.get('cleanup.policy'), hints.get('segment.ms')]).toEqual(['compact', '3600000']);
      expect((await admin.topicConfig('plain')).get('cleanup.policy')).toBe('delete');
      await admin.deleteTopics(['hints', 'plain']);
    } finally {
      await admin.close();
      await bus.close();
    }
  }, 60_000);
});

describe('kafka bus consumer', () => {
  // A handler that waits out a store outage longer than the session (bench:accuracy: ClickHouse down
  // 60 s) loses the group membership; its commit then fails and kafkajs gives up on the consumer. The
  // bus starts a new one: the uncommitted batch comes again and later records still arrive.
  it('keeps consuming after a handler outlived the session timeout', async () => {
    const bus = createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'bus-slow-handler',
      logger: testLogger('kafka-bus'),
      topicPrefix: 'slow.',
      sessionTimeoutMs: 6_000,
    });
    const topic = uniqueName('slow_handler');
    const seen: string[] = [];
    let first = true;
    try {
      await bus.ensureTopics([topic], { partitions: 1 });
      await bus.send(topic, [{ key: 'k', value: 'a' }]);
      await bus.subscribe({
        groupId: uniqueName('g'),
        topics: [topic],
        handleBatch: async (b) => {
          if (first) {
            first = false;
            await new Promise((r) => setTimeout(r, 15_000)); // 2.5 sessions
          }
          seen.push(...b.records.map((r) => r.value));
        },
      });
      await waitFor('the slow first batch', () => seen.includes('a'), 45_000);
      await bus.send(topic, [{ key: 'k', value: 'b' }]);
      await waitFor(`'b' after the slow batch (seen: ${seen.join(',')})`, () => seen.includes('b'), 45_000);
      expect(seen.filter((v) => v === 'b')).toHaveLength(1);
    } finally {
      await bus.close();
    }
  }, 120_000);
});
