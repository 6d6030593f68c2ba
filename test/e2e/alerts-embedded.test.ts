import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { Topics, type Alert } from '../../contracts/index.ts';
import { createWebhookReceiver } from '../../pipeline/alerts/webhook-receiver.ts';
import { parseRulesConfig } from '../../pipeline/rules/rules-config.ts';
import { createPipelineRuntime, type PipelineRuntime } from '../../pipeline/runtime.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { createTelemetryStore, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { captureBatches } from '../helpers/capture-batches.ts';
import { testLogger } from '../helpers/services.ts';
import { waitFor } from '../helpers/wait-for.ts';

// Embedded mode runs the alerting the distributed pipeline runs: the same runtime, its rule and
// delivery jobs on the schedule, over the in-process bus and chDB.
describe('pipeline runtime: alerts on schedule (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-alerts-embedded-'));
  const received: Alert[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push((JSON.parse(body) as { alert: Alert }).alert);
      res.writeHead(200).end();
    });
  });
  const bus = createMemoryBus();
  let store: TelemetryStore;
  let runtime: PipelineRuntime;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    store = createTelemetryStore(createChdbExecutor({ dataDir }), { database: 'alerts_embedded' });
    await store.migrate();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    runtime = createPipelineRuntime(
      { bus, store, logger: testLogger('pipeline'), now: Date.now },
      {
        groupId: 'alerts-embedded',
        rollups: null,
        telemetryGaps: null,
        retention: null,
        alerting: {
          rules: parseRulesConfig('', 'defaults'),
          rulesIntervalMs: 200,
          deliveryIntervalMs: 1_000,
          receivers: [createWebhookReceiver({ name: 'webhook:test', url, secret: '', timeoutMs: 2_000 })],
          pricing: null,
        },
      },
    );
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.close();
    await bus.close();
    await store.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an Xid in a batch on the bus reaches the webhook as a critical alert of its GPU', async () => {
    const now = Date.now();
    // real capture batches, each with Xid 79 on its first sample, collected just now
    const batches = captureBatches().map((b) => ({
      ...b,
      collectedAtMs: now,
      samples: b.samples.map((s) => ({ ...s, observedAtMs: now })),
    }));
    await bus.send(
      Topics.gpuSamples,
      batches.map((b) => ({ key: b.node, value: JSON.stringify(b) })),
    );
    // The receiver counts a delivery once the webhook has answered, just after the webhook saw it.
    await waitFor(
      'the Xid alerts at the webhook, counted as delivered',
      () =>
        received.filter((a) => a.ruleId === 'xid').length === 4 &&
        (runtime.alerting?.totals.delivered.get('webhook:test') ?? 0) >= 4,
      30_000,
    );
    const xid = received.filter((a) => a.ruleId === 'xid');
    expect(xid.map((a) => [a.labels['gpu'], a.labels['xid'], a.severity, a.evidence['action']]).sort()).toEqual(
      batches.map((b) => [b.samples[0]!.gpuUuid, '79', 'critical', 'RESTART_BM']).sort(),
    );
    expect(runtime.alerting?.totals.delivered.get('webhook:test')).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
