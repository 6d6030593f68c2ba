/**
 * The extender reads node hints from the real Kafka broker (optimize.node-hints.v1, from the
 * beginning, under a topic prefix of its own): a critical anomaly in a node's hint keeps pods off
 * it, the node's next hint without one lets them back; a hint of another cluster changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import type { RecordBus, Subscription } from '../../contracts/bus.ts';
import { exampleNodeHint } from '../../contracts/examples.ts';
import { nodeHintKey, type NodeHint } from '../../contracts/node-hint.ts';
import { Topics } from '../../contracts/topics.ts';
import { subscribeNodeHints } from '../../cli/extender-sources.ts';
import { createPlacementExtender } from '../../scheduler/extender/extender.ts';
import { kubeNodeOf, kubePodOf } from '../../scheduler/extender/kube-objects.ts';
import { POLICIES } from '../../scheduler/policies/index.ts';
import { toWorkloadShapes } from '../../scheduler/workload-shapes.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

const services = loadTestServices(process.env);
const NODE = exampleNodeHint.node;
const MARKER = 'gpu-node-marker';
const critical = (cluster: string, computedAtMs: number): NodeHint => ({
  ...exampleNodeHint,
  cluster,
  computedAtMs,
  staleAfterMs: 600_000,
  activeAnomalies: [
    {
      ...exampleNodeHint.activeAnomalies[0]!,
      ruleId: 'xid-79',
      severity: 'critical',
      summary: 'GPU has fallen off the bus',
    },
  ],
});

describe('node hints from Kafka in the extender', () => {
  let bus: RecordBus;
  let hints: Subscription;
  const extender = createPlacementExtender({ policy: POLICIES['gpu-ledger']!, workload: toWorkloadShapes([]) });
  const pod = kubePodOf({
    metadata: { name: 'p', namespace: 'ml' },
    spec: { containers: [{ resources: { requests: { cpu: '1' }, limits: { 'nvidia.com/gpu': '1' } } }] },
  });
  const passes = (node = NODE) => extender.filter(pod, [node], Date.now()).passing.has(node);
  const send = (hint: NodeHint) =>
    bus.send(Topics.nodeHints, [{ key: nodeHintKey(hint.cluster, hint.node), value: JSON.stringify(hint) }]);

  beforeAll(async () => {
    bus = createKafkaBus({
      brokers: services.kafkaBrokers,
      clientId: 'extender-hints-test',
      logger: testLogger('bus'),
      topicPrefix: `${uniqueName('extender')}.`,
    });
    await bus.ensureTopics([Topics.nodeHints], { compacted: true });
    for (const name of [NODE, MARKER]) {
      extender.upsertNode(
        kubeNodeOf({
          metadata: { name },
          status: { allocatable: { cpu: '16', memory: '64Gi', 'nvidia.com/gpu': '1' } },
        })!,
      );
    }
  }, 120_000);
  afterAll(async () => {
    await hints?.close();
    await bus?.close();
  });

  it('keeps pods off a node while its hint carries a critical anomaly', async () => {
    expect(passes()).toBe(true);
    // One partition: records are read in order, so once the marker node's hint is applied, the
    // other cluster's hint for NODE (sent before it) has been read, and ignored.
    await send(critical('other-cluster', Date.now()));
    await send({ ...critical(exampleNodeHint.cluster, Date.now()), node: MARKER });
    hints = await subscribeNodeHints(bus, extender, exampleNodeHint.cluster, testLogger('extender'));
    await waitFor('the marker hint applied', () => !passes(MARKER), 60_000, 100);
    expect(passes()).toBe(true);
    await send(critical(exampleNodeHint.cluster, Date.now()));
    await waitFor('the critical hint applied', () => !passes(), 30_000, 100);
    expect(extender.filter(pod, [NODE], Date.now()).failed.get(NODE)).toMatch(/xid-79: GPU has fallen off the bus/);
    await send({ ...critical(exampleNodeHint.cluster, Date.now()), activeAnomalies: [] });
    await waitFor('the clean hint applied', passes, 30_000, 100);
  }, 120_000);
});
