/**
 * Alerts through a REAL Alertmanager (Debian prometheus-alertmanager, a private instance on a free
 * port, so tests never see each other's alerts) from the rule and delivery jobs running on the real
 * ClickHouse server: every built-in rule fires into it; a resolved condition leaves it; an
 * Alertmanager that is down loses nothing; webhooks that are slow or refuse are retried and counted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from '../../collectors/nvidia-smi/parse-xml.ts';
import { packGpuSampleBatch } from '../../pipeline/ingest/packed-gpu-batch.ts';
import { createStoreWriters } from '../../pipeline/ingest/store-writers.ts';
import { createAlertingJobs, type AlertingJobs } from '../../pipeline/alerts/alerting-jobs.ts';
import { createAlertmanagerReceiver } from '../../pipeline/alerts/alertmanager-receiver.ts';
import type { AlertReceiver } from '../../pipeline/alerts/receiver.ts';
import {
  createWebhookReceiver,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../pipeline/alerts/webhook-receiver.ts';
import { DEFAULT_COST_CONFIG } from '../../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import { parseRulesConfig } from '../../pipeline/rules/rules-config.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore, type TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { createPrivateStack, type PrivateStack } from '../helpers/private-stack.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';
import { SCENARIO_RULE_NAMES, SCENARIO_RULES, writeAlertingScenario } from '../kits/alerting-scenario.ts';

const { clickhouseUrl } = loadTestServices(process.env);
const SECRET = 'webhook-secret';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status: { state: string };
}

/** A webhook receiver under test control: answers ok, slowly, or refuses; checks every signature. */
function webhookServer() {
  const received: { body: { alert: { id: string; status: string; ruleId: string } }; signed: boolean }[] = [];
  let mode: 'ok' | 'slow' | 'refuse' = 'ok';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (mode === 'refuse') return void res.writeHead(503).end('maintenance');
      const answer = () => {
        const signed = verifyWebhookSignature(
          SECRET,
          { signature: req.headers[SIGNATURE_HEADER] as string, timestamp: req.headers[TIMESTAMP_HEADER] as string },
          body,
          Math.floor(Date.now() / 1000),
        );
        received.push({ body: JSON.parse(body) as (typeof received)[number]['body'], signed });
        res.writeHead(200).end('ok');
      };
      if (mode === 'slow') setTimeout(answer, 1_500);
      else answer();
    });
  });
  return {
    server,
    received,
    setMode: (m: typeof mode) => void (mode = m),
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
  };
}

describe('alerts through a real Alertmanager and webhooks', () => {
  let stack: PrivateStack;
  const hook = webhookServer();
  const executor = createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 30_000 });
  const databases: string[] = [];
  const rules = parseRulesConfig(SCENARIO_RULES, 'scenario rules');
  const pricing = { prices: createPriceLookup(loadPriceCatalog()), cost: DEFAULT_COST_CONFIG };
  const amAlerts = async (): Promise<AmAlert[]> => {
    const res = await fetch(`${stack.config.endpoints.alertmanagerUrl}/api/v2/alerts`);
    return (await res.json()) as AmAlert[];
  };

  async function scenario(atMs: number): Promise<TelemetryStore> {
    const database = uniqueName('it_alerts');
    databases.push(database);
    const store = createTelemetryStore(executor, { database });
    await store.migrate();
    await writeAlertingScenario(store, atMs);
    return store;
  }
  const jobs = (store: TelemetryStore, now: () => number, receivers: AlertReceiver[]): AlertingJobs =>
    createAlertingJobs(
      { executor, database: store.database, now, logger: testLogger('alerts') },
      {
        rules,
        rulesIntervalMs: 60_000,
        deliveryIntervalMs: 60_000,
        receivers,
        pricing,
        delivery: { backoff: { initialMs: 200, maxMs: 1_000 } },
      },
    );
  /** Firing alerts are posted with endsAt = the job clock + 4 resends: the first test's clock stands still. */
  const am = (resendIntervalMs = 1_000) =>
    createAlertmanagerReceiver({ url: stack.config.endpoints.alertmanagerUrl, timeoutMs: 2_000, resendIntervalMs });
  const run = async (j: AlertingJobs, name: 'anomaly-rules' | 'alert-delivery') =>
    j.schedules.find((s) => s.job.name === name)!.job.run();

  beforeAll(async () => {
    stack = await createPrivateStack(['alertmanager']);
    await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
  }, 240_000);
  afterAll(async () => {
    for (const db of databases) await executor.command(sql`DROP DATABASE IF EXISTS ${ident(db)}`);
    await executor.close();
    await new Promise((resolve) => hook.server.close(resolve));
    await stack?.close();
  }, 60_000);

  it('every built-in rule fires into Alertmanager with its subject, evidence and runbook; a cleared condition resolves', async () => {
    const T = Math.floor(Date.now() / 1000) * 1000;
    const store = await scenario(T);
    let clock = T;
    const j = jobs(store, () => clock, [am(60_000)]);
    const raised = await run(j, 'anomaly-rules');
    expect(raised['notifications']).toBeGreaterThanOrEqual(SCENARIO_RULE_NAMES.length);
    await run(j, 'alert-delivery');
    const alerts = await amAlerts();
    expect([...new Set(alerts.map((a) => a.labels['alertname']))].sort()).toEqual([...SCENARIO_RULE_NAMES]);
    const idle = alerts.find((a) => a.labels['alertname'] === 'idle-allocated')!;
    expect(idle.labels).toMatchObject({
      pod: 'notebook-0',
      namespace: 'vision',
      tenant: 'acme',
      node: 'gpu-t4-0',
      severity: 'warning',
    });
    expect(idle.startsAt).toBe(new Date(T - 40 * 60_000).toISOString());
    // a whole T4 at the catalog's $0.526/h, idle 40 min
    expect(JSON.parse(idle.annotations['evidence']!)).toMatchObject({
      idleMinutes: 40,
      gpuShare: 1,
      usdPerHour: 0.526,
      burnedUsd: 0.3507,
    });
    expect(idle.annotations['runbook']).toMatch(/holds GPU capacity it does not use/);
    const xid = alerts.find((a) => a.labels['alertname'] === 'xid')!;
    expect(xid.labels).toMatchObject({ xid: '48', severity: 'critical', node: 'gpu-v100-0' });
    expect(alerts.find((a) => a.labels['alertname'] === 'telemetry-gap')!.labels).toMatchObject({
      problem: 'seq-gap',
      node: 'gpu-t4-0',
    });
    expect(
      alerts
        .filter((a) => a.labels['alertname'] === 'budget-burn')
        .map((a) => a.labels['threshold'])
        .sort(),
    ).toEqual(['100%', '50%', '80%']);
    expect(alerts.every((a) => a.status.state === 'active')).toBe(true);

    // the notebook gets busy: its idle alert resolves and leaves Alertmanager's active alerts
    const writers = createStoreWriters(store, () => T);
    const t4 = parseNvidiaSmiXml(readFixture('nvidia-smi-xml', 'telegraf__tesla-t4__515.105.01__procs.xml'), T + 1_000);
    await writers.gpuSamples([
      {
        record: packGpuSampleBatch({
          schemaVersion: 1,
          agentId: 'it/gpu-t4-0',
          bootId: 'boot-1',
          seq: 41,
          cluster: 'it',
          node: 'gpu-t4-0',
          collectedAtMs: T + 1_000,
          source: 'nvidia-smi-xml',
          samples: t4.samples.map((s) => ({ ...s, utilizationPct: 87 })),
          processes: [],
        }),
        from: { topic: 'telemetry.gpu-samples.v1', partition: 0, offset: '999', key: null, value: '', timestampMs: T },
      },
    ]);
    clock = T + 1_000;
    await run(j, 'anomaly-rules');
    await run(j, 'alert-delivery');
    await waitFor(
      'Alertmanager to drop the resolved idle alert',
      async () => (await amAlerts()).every((a) => a.labels['alertname'] !== 'idle-allocated'),
      10_000,
    );
    expect((await amAlerts()).some((a) => a.labels['alertname'] === 'xid')).toBe(true);
    await j.close();
  }, 180_000);

  it('Alertmanager down: failures counted, nothing lost; once it is back everything arrives, and a restart is healed by the resend', async () => {
    const T = Math.floor(Date.now() / 1000) * 1000;
    const store = await scenario(T);
    const j = jobs(store, Date.now, [am()]);
    await stack.stop('alertmanager');
    await run(j, 'anomaly-rules');
    await run(j, 'alert-delivery');
    expect(j.totals.failed.get('alertmanager down')).toBeGreaterThanOrEqual(SCENARIO_RULE_NAMES.length);
    expect(j.totals.pending.get('alertmanager')).toBeGreaterThanOrEqual(SCENARIO_RULE_NAMES.length);
    await stack.start('alertmanager'); // a fresh process: it remembers no alerts
    await waitFor(
      'the outbox to drain into Alertmanager',
      async () => {
        await run(j, 'alert-delivery');
        return j.totals.pending.get('alertmanager') === 0;
      },
      30_000,
      500,
    );
    const names = new Set((await amAlerts()).map((a) => a.labels['alertname']));
    expect([...names].sort()).toEqual([...SCENARIO_RULE_NAMES]);
    await stack.restart('alertmanager');
    expect(await amAlerts()).toEqual([]);
    await waitFor(
      'the resend to tell the restarted Alertmanager the firing alerts',
      async () => {
        await run(j, 'alert-delivery');
        return new Set((await amAlerts()).map((a) => a.labels['alertname'])).size === SCENARIO_RULE_NAMES.length;
      },
      30_000,
      500,
    );
    await j.close();
  }, 240_000);

  it('webhooks slow or refusing: retried with backoff, counted by reason, then delivered once each, signed', async () => {
    const T = Math.floor(Date.now() / 1000) * 1000;
    const store = await scenario(T);
    const receiver = createWebhookReceiver({ name: 'webhook:ops', url: hook.url(), secret: SECRET, timeoutMs: 500 });
    const j = jobs(store, Date.now, [receiver]);
    hook.setMode('slow');
    await run(j, 'anomaly-rules');
    await run(j, 'alert-delivery');
    await j.close(); // the delivery the rule job kicked off
    // each run tries the oldest notification, times out, and leaves the rest for later
    expect(j.totals.failed.get('webhook:ops slow')).toBeGreaterThanOrEqual(1);
    hook.setMode('refuse');
    await new Promise((r) => setTimeout(r, 1_100));
    await run(j, 'alert-delivery');
    expect(j.totals.failed.get('webhook:ops refused')).toBeGreaterThanOrEqual(1);
    expect(j.totals.delivered.get('webhook:ops') ?? 0).toBe(0);
    hook.setMode('ok');
    const before = hook.received.length; // a slow answer may still have landed after its timeout
    await waitFor(
      'every notification to reach the webhook',
      async () => {
        await run(j, 'alert-delivery');
        return j.totals.pending.get('webhook:ops') === 0;
      },
      30_000,
      300,
    );
    const ids = hook.received.slice(before).map((r) => r.body.alert.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(hook.received.map((r) => r.body.alert.ruleId))).toEqual(new Set(SCENARIO_RULE_NAMES));
    expect(hook.received.every((r) => r.signed && r.body.alert.status === 'firing')).toBe(true);
    await j.close();
  }, 180_000);
});
