import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateStack, type PrivateStack } from '../helpers/private-stack.ts';

describe('private stack for fault tests', () => {
  let stack: PrivateStack;
  beforeAll(async () => {
    stack = await createPrivateStack(['kafka', 'clickhouse']);
  }, 120_000);
  afterAll(async () => stack.close(), 60_000);

  it('runs its own Kafka and ClickHouse on other ports, and keeps data across a restart', async () => {
    expect(stack.config.endpoints.kafkaBrokers[0]).not.toBe('127.0.0.1:19092');
    const kafka = new Kafka({ brokers: [...stack.config.endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await stack.restart('kafka');
    const again = kafka.admin();
    await again.connect();
    expect(await again.listTopics()).toContain('kept');
    await again.disconnect();
    const answer = await fetch(`${stack.config.endpoints.clickhouseUrl}/?query=SELECT%2040%2B2`);
    expect((await answer.text()).trim()).toBe('42');
  }, 120_000);
});
