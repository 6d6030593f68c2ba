/**
 * Node hints through the real Kafka broker and the ClickHouse 18.16 server: the recommender fleet
 * (real captures, gentd26 series) at 8:20, an alert on the anomaly topic, the hints job publishing to
 * `optimize.node-hints.v1` (a topic prefix of its own), read back by a fresh consumer as the scheduler
 * extender would, and the topic created compacted.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaAdmin, type KafkaAdmin } from '../../bus/kafka-admin.ts';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import type { Alert } from '../../contracts/alert.ts';
import type { RecordBus } from '../../contracts/bus.ts';
import { decodeNodeHint, type NodeHint } from '../../contracts/node-hint.ts';
import { Topics } from '../../contracts/topics.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createActiveAlerts, type ActiveAlerts } from '../../scheduler/hints/active-alerts.ts';
import { createNodeHintsJob } from '../../scheduler/hints/node-hints-job.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';
import { fleetWithRecommendations, GPU } from '../kits/recommender-fleet-kit.ts';

const services = loadTestServices(process.env);
const A100_USD = 5.12071875;

describe('node hints on Kafka (ClickHouse server + broker)', () => {
  const database = `t_hints_${randomBytes(6).toString('hex')}`;
  const prefix = `${uniqueName('hints')}.`;
  let executor: SqlExecutor;
  let bus: RecordBus;
  let admin: KafkaAdmin;
  let alerts: ActiveAlerts;
  let clock = 0;
  const logger = testLogger('node-hints');

  beforeAll(async () => {
    executor = createClickHouseServerExecutor({ url: services.clickhouseUrl, requestTimeoutMs: 60_000 });
    clock = await fleetWithRecommendations(executor, database);
    bus = createKafkaBus({ brokers: services.kafkaBrokers, clientId: 'node-hints-test', logger, topicPrefix: prefix });
    admin = createKafkaAdmin({ brokers: services.kafkaBrokers, clientId: 'node-hints-admin', topicPrefix: prefix });
    alerts = createActiveAlerts(
      { bus, now: () => clock, logger },
      { groupId: uniqueName('alerts'), ttlMs: 15 * 60_000 },
    );
    await alerts.start();
  }, 240_000);
  afterAll(async () => {
    await alerts.close();
    await admin.deleteTopics([Topics.nodeHints, Topics.alerts]).catch(() => undefined);
    await admin.close();
    await bus.close();
    await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
    await executor.close();
  });

  it('publishes one hint per node, keyed cluster/node, with headroom, fragmentation, $/h, anomalies and recommendations', async () => {
    const alert: Alert = {
      schemaVersion: 1,
      id: 'gpu-allocated-idle/prod/a800-0/5',
      ruleId: 'gpu-allocated-idle',
      severity: 'warning',
      status: 'firing',
      labels: { cluster: 'prod', node: 'a800-0', gpu: GPU.a800[5]!, namespace: 'genai', pod: 'sd-idle-5d7c9-w8r3t' },
      summary: 'GPU allocated to genai/sd-idle-5d7c9-w8r3t has been idle for 8h',
      runbook: 'Scale the workload down or release the GPU.',
      startsAtMs: clock - 8 * 3_600_000,
      endsAtMs: null,
      evidence: { utilizationPct: 0 },
    };
    // Rules republish firing alerts at every evaluation; do the same until the tracker's group has joined.
    await waitFor(
      'the alert tracker to see the alert',
      async () => {
        await bus.send(Topics.alerts, [{ key: alert.id, value: JSON.stringify(alert) }]);
        return alerts.firing().length === 1;
      },
      60_000,
      1000,
    );

    const job = createNodeHintsJob(
      { executor, database, bus, catalog: loadPriceCatalog(), alerts, intervalMs: 60_000 },
      { now: () => clock, logger },
    );
    expect(await job.run()).toEqual({ nodes: 3, anomalies: 1, recommendations: 7 });
    clock += 60_000;
    await job.run();

    const latest = new Map<string, NodeHint>();
    const seen: string[] = [];
    await bus.subscribe({
      groupId: uniqueName('extender'),
      topics: [Topics.nodeHints],
      handleBatch: async (b) => {
        for (const r of b.records) {
          const decoded = decodeNodeHint(r.value);
          if (!decoded.ok) throw new Error(decoded.error);
          seen.push(r.key ?? '');
          latest.set(r.key ?? '', decoded.value);
        }
        return Promise.resolve();
      },
    });
    await waitFor(
      'the second run of all three nodes',
      () => [...latest.values()].filter((h) => h.computedAtMs === clock).length === 3,
      45_000,
    );
    expect([...latest.keys()].sort()).toEqual(['prod/a800-0', 'prod/v100-a', 'prod/v100-b']);

    const a800 = latest.get('prod/a800-0')!;
    // Running at 8:21: train (GPUs 1–4, named by its pod events), sd-idle (GPU 5) and sd-serving (GPU 6) by
    // their processes, mig-embed's 2g.20gb = 2/7 of GPU 0 → 286 milli; GPU 7 free.
    expect(a800).toMatchObject({
      gpuModel: 'A100-80GB',
      gpuCount: 8,
      allocatedGpus: 6.286,
      freeMilli: 1714,
      staleAfterMs: 180_000,
    });
    const gpu = (i: number) => a800.gpus.find((g) => g.gpuUuid === GPU.a800[i])!;
    expect([0, 1, 5, 6, 7].map((i) => gpu(i).allocatedMilli)).toEqual([286, 1000, 1000, 1000, 0]);
    // Fragmentation over the openb shapes: 714 free on GPU 0 is too small for 1×1000 (3911) and 1×810 (1078);
    // an 8-GPU pod (44) can use nothing; the rest fit: (3911 × 714 + 1078 × 714 + 44 × 1714) / 6504.
    const unusable = (3911 * 714 + 1078 * 714 + 44 * 1714) / 6504;
    expect(a800.fragmentation.unusableFreeMilli).toBeCloseTo(unusable, 2);
    expect(a800.fragmentation.ratio).toBeCloseTo(unusable / 1714, 4);
    expect(a800.costUsdPerHour).toBeCloseTo(8 * A100_USD, 9);
    expect(a800.idleCostUsdPerHour).toBeCloseTo(1.714 * A100_USD, 9);
    // The idle pod's GPU is 0% busy: all headroom; the serving pod's GPU has its recent p95 left over.
    expect(gpu(5).utilizationHeadroomPct).toBe(100);
    expect(gpu(6).utilizationHeadroomPct).toBeLessThan(100);
    expect(a800.activeAnomalies).toEqual([
      {
        alertId: alert.id,
        ruleId: 'gpu-allocated-idle',
        severity: 'warning',
        summary: alert.summary,
        gpuUuid: GPU.a800[5],
        startsAtMs: alert.startsAtMs,
      },
    ]);
    expect(a800.pendingRecommendations.map((r) => `${r.kind} ${r.workload}`).sort()).toEqual([
      'cheaper-gpu sd-serving',
      'idle-reclaim mig-embed',
      'idle-reclaim sd-idle',
      'right-size train',
      'share sd-serving',
    ]);
    expect(latest.get('prod/v100-b')?.pendingRecommendations.map((r) => r.kind)).toEqual(['consolidate']);

    const config = await admin.topicConfig(Topics.nodeHints);
    expect(config.get('cleanup.policy')).toBe('compact');
    expect(seen.length).toBeGreaterThanOrEqual(3);
  }, 180_000);
});
