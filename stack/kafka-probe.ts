import { Kafka, logLevel } from 'kafkajs';

/**
 * One health probe: a kafkajs admin client connects and describes the cluster. No retries, short
 * timeouts, kafkajs logging off (a refused connection is the expected answer while booting).
 */
export async function probeKafka(brokers: readonly string[], timeoutMs = 3_000): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'gpu-ledger-stack-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
