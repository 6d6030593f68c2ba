import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { createAgent } from '../../collectors/agent.ts';
import { createNvidiaSmiXmlCollector } from '../../collectors/nvidia-smi/nvidia-smi-xml-collector.ts';
import { createSpoolingSink, type SpoolingSink } from '../../collectors/spool/spooling-sink.ts';
import {
  checkKafkaDelivery,
  computeAgentHealth,
  type AgentHealth,
} from '../../collectors/self-metrics/agent-health.ts';
import { startAgentHttpServer, type AgentHttpServer } from '../../collectors/self-metrics/agent-http-server.ts';
import { createAgentMetrics, type AgentMetrics } from '../../collectors/self-metrics/agent-metrics.ts';
import { createPrometheusMetrics, type PrometheusMetrics } from '../../collectors/self-metrics/prometheus-metrics.ts';
import { checkReadiness } from '../../cli/readiness.ts';
import { GpuSampleBatchSchema, Topics, type GpuSampleBatch, type RecordBus } from '../../contracts/index.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

const FAKE_NVIDIA_SMI = resolve(import.meta.dirname, '../../bin/fake-nvidia-smi.js');
const GTX_1070 = fixturePath('nvidia-smi-xml', 'openpai__gtx-1070__384.66__procs__attached6-2elems.xml');
const SOURCE = 'nvidia-smi-xml';

/** Sum of the samples of `name` whose labels include `labels`, from Prometheus text. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | null {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  const hits = lines.filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return hits.length === 0 ? null : hits.reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('agent self-observability: /metrics and /healthz on the agent port', () => {
  const node = uniqueName('metrics-node');
  const dir = mkdtempSync(join(tmpdir(), 'agent-metrics-'));
  let bus: RecordBus;
  let telemetry: PrometheusMetrics;
  let spool: SpoolingSink;
  let metrics: AgentMetrics;
  let server: AgentHttpServer;
  const startedAtMs = Date.now();

  const agentWith = (env: Record<string, string>) =>
    createAgent(
      {
        gpuCollector: createNvidiaSmiXmlCollector(
          { path: FAKE_NVIDIA_SMI, timeoutMs: 10_000, maxOutputBytes: 1 << 24, env },
          Date.now,
        ),
        sink: spool,
        logger: testLogger('agent'),
        now: Date.now,
        observer: metrics,
      },
      { agentId: `test/${node}`, cluster: 'test', node },
    );

  beforeAll(async () => {
    bus = createKafkaBus({
      brokers: loadTestServices(process.env).kafkaBrokers,
      clientId: 'agent-metrics-test',
      topicPrefix: `${uniqueName('agentmetrics')}.`,
      logger: testLogger('kafka'),
    });
    await bus.ensureTopics([Topics.gpuSamples]);
    telemetry = createPrometheusMetrics('gpu-ledger-agent', { 'host.name': node });
    spool = await createSpoolingSink(
      bus,
      { dir, maxBytes: 1 << 20, fsync: 'interval' },
      { logger: testLogger('spool'), now: Date.now, meter: telemetry.meter },
    );
    metrics = createAgentMetrics(telemetry.meter, Date.now);
    const health = () =>
      computeAgentHealth({
        nowMs: Date.now(),
        startedAtMs,
        maxTickAgeMs: 30_000,
        tick: metrics.tickState(),
        spool: spool.stats(),
      });
    server = await startAgentHttpServer(
      { host: '127.0.0.1', port: 0 },
      {
        handleScrape: telemetry.handleScrape,
        health,
        ready: () => checkReadiness({ kafka: () => checkKafkaDelivery(spool.stats()) }, 2000),
        logger: testLogger('http'),
      },
    );
  }, 60_000);
  afterAll(async () => {
    await spool.close();
    await bus.close();
    await server.close();
    await telemetry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after 3 ticks on a 2-GPU capture, the counters equal what reached Kafka; /healthz is 200', async () => {
    const agent = agentWith({ FAKE_NVIDIA_SMI_XML: GTX_1070 });
    for (let i = 0; i < 3; i++) await agent.tick();
    await agent.close();
    await waitFor('3 batches acknowledged by Kafka', () => spool.stats().deliveredRecords === 3, 30_000);

    const received: GpuSampleBatch[] = [];
    const sub = await bus.subscribe({
      groupId: uniqueName('metrics-check'),
      topics: [Topics.gpuSamples],
      handleBatch: async (b) =>
        void received.push(...b.records.map((r) => GpuSampleBatchSchema.parse(JSON.parse(r.value)))),
    });
    await waitFor('3 batches consumed', () => received.length >= 3, 30_000);
    await sub.close();
    const samplesInKafka = received.reduce((n, b) => n + b.samples.length, 0);
    expect(samplesInKafka).toBe(6);

    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(metricValue(text, 'gpu_ledger_agent_samples_total', { source: SOURCE })).toBe(samplesInKafka);
    expect(metricValue(text, 'gpu_ledger_agent_collect_errors_total', { source: SOURCE })).toBe(0);
    expect(metricValue(text, 'gpu_ledger_agent_collect_duration_seconds_count', { source: SOURCE })).toBe(3);
    expect(metricValue(text, 'gpu_ledger_agent_collect_duration_seconds_sum', { source: SOURCE })).toBeGreaterThan(0);
    expect(metricValue(text, 'gpu_ledger_agent_ticks_total', { outcome: 'ok' })).toBe(3);
    expect(metricValue(text, 'gpu_ledger_agent_spool_delivered_records_total')).toBe(3);
    expect(metricValue(text, 'gpu_ledger_agent_spool_depth_records')).toBe(0);
    expect(metricValue(text, 'gpu_ledger_agent_spool_depth_bytes')).toBe(0);
    expect(metricValue(text, 'gpu_ledger_agent_spool_max_bytes')).toBe(1 << 20);
    expect(metricValue(text, 'gpu_ledger_agent_spool_evicted_records_total')).toBe(0);
    expect(metricValue(text, 'gpu_ledger_agent_spool_replayed_records_total')).toBe(0);
    expect(metricValue(text, 'gpu_ledger_agent_spool_append_duration_seconds_count')).toBe(3);
    expect(
      metricValue(text, 'gpu_ledger_agent_send_duration_seconds_count', { topic: Topics.gpuSamples, outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'gpu_ledger_agent_last_good_tick_timestamp_seconds')).toBeGreaterThan(startedAtMs / 1000);
    expect(text).toContain(`target_info{service_name="gpu-ledger-agent",host_name="${node}"} 1`);

    const healthz = await fetch(`${server.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toMatchObject({
      ok: true,
      reasons: [],
      spool: { pendingRecords: 0, maxBytes: 1 << 20 },
      kafka: { consecutiveFailures: 0 },
    });
    const readyz = await fetch(`${server.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ ok: true, checks: { kafka: 'ok' } });
  }, 90_000);

  it('a tick whose GPU source fails: collect error counted, /healthz 503 with the reason', async () => {
    const agent = agentWith({}); // fake nvidia-smi without a capture exits 9, like a broken driver
    await agent.tick();
    await agent.close();
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(metricValue(text, 'gpu_ledger_agent_collect_errors_total', { source: SOURCE })).toBe(1);
    expect(metricValue(text, 'gpu_ledger_agent_samples_total', { source: SOURCE })).toBe(6);
    const healthz = await fetch(`${server.url}/healthz`);
    expect(healthz.status).toBe(503);
    const body = (await healthz.json()) as AgentHealth;
    expect(body.ok).toBe(false);
    expect(body.reasons).toEqual([
      expect.stringMatching(/^last tick: no GPU samples: nvidia-smi-xml: .*FAKE_NVIDIA_SMI_XML/s),
    ]);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  }, 60_000);
});
