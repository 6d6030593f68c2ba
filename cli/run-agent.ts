import { createAgent } from '../collectors/agent.ts';
import { createPodResolver } from '../collectors/kubernetes/pod-resolver.ts';
import { createSpoolingSink } from '../collectors/spool/spooling-sink.ts';
import { checkKafkaDelivery, computeAgentHealth } from '../collectors/self-metrics/agent-health.ts';
import { startAgentHttpServer } from '../collectors/self-metrics/agent-http-server.ts';
import { createAgentMetrics } from '../collectors/self-metrics/agent-metrics.ts';
import { createPrometheusMetrics } from '../collectors/self-metrics/prometheus-metrics.ts';
import { createAgentSources } from './agent-sources.ts';
import type { CliContext } from './context.ts';
import { checkReadiness, notStopping } from './readiness.ts';
import { installShutdown, shutdownShares } from './shutdown.ts';
import { createKafkaBusFor } from './wiring.ts';

/**
 * `gpu-ledger agent`: the per-host agent. Samples nvidia-smi every interval; batches go through the
 * on-disk spool to Kafka (sampling never waits for Kafka); /metrics, /healthz and /readyz on its own port.
 * SIGTERM/SIGINT (cli/shutdown.ts): stop sampling, deliver what the spool can within its share of the
 * deadline (the rest stays on disk for the next start), disconnect from Kafka, stop serving, exit.
 */
export async function runAgent(ctx: CliContext): Promise<void> {
  const config = ctx.config();
  const logger = ctx.logger('agent');
  const shutdown = installShutdown({ logger, deadlineMs: config.shutdownTimeoutMs });
  const shares = shutdownShares(config.shutdownTimeoutMs);
  const startedAtMs = Date.now();
  const telemetry = createPrometheusMetrics('gpu-ledger-agent', { 'host.name': config.node });
  const bus = createKafkaBusFor(config, logger, `agent-${config.node}`);
  const spool = await createSpoolingSink(
    bus,
    {
      dir: config.spoolDir,
      maxBytes: config.spoolMaxBytes,
      fsync: config.spoolFsync,
      fsyncIntervalMs: config.spoolFsyncIntervalMs,
      sendIntervalMs: config.spoolSendIntervalMs,
      closeTimeoutMs: shares.drainMs,
    },
    { logger: logger.child({ component: 'spool' }), now: Date.now, meter: telemetry.meter },
  );
  const metrics = createAgentMetrics(telemetry.meter, Date.now);
  const sources = await createAgentSources(config, Date.now);
  const agent = createAgent(
    {
      gpuCollector: sources.gpu,
      collectors: sources.others,
      ...(config.procRoot !== '' ? { resolvePod: createPodResolver({ procRoot: config.procRoot }) } : {}),
      sink: spool,
      logger,
      now: Date.now,
      observer: metrics,
    },
    { agentId: `${config.cluster}/${config.node}`, cluster: config.cluster, node: config.node },
  );
  // @kubernetes/client-node is heavy: loaded only when pod watching is on.
  const podEvents = config.watchPods
    ? await (await import('./pod-events.ts')).startPodEvents(config, spool, logger)
    : null;
  // The GPU topology for the scheduler extender goes on the Node object: only with Kubernetes access, as pod watching.
  const topology = config.watchPods ? (await import('./node-topology.ts')).startNodeTopology(config, logger) : null;
  const maxTickAgeMs = 3 * config.sampleIntervalMs + config.nvidiaSmiTimeoutMs;
  const server = await startAgentHttpServer(
    { host: config.agentMetricsHost, port: config.agentMetricsPort },
    {
      handleScrape: telemetry.handleScrape,
      health: () =>
        computeAgentHealth({
          nowMs: Date.now(),
          startedAtMs,
          maxTickAgeMs,
          tick: metrics.tickState(),
          spool: spool.stats(),
        }),
      ready: () =>
        checkReadiness({ shutdown: notStopping(shutdown), kafka: () => checkKafkaDelivery(spool.stats()) }, 2000),
      logger,
    },
  ).catch(async (error: unknown) => {
    await Promise.all([spool.close(), bus.close(), telemetry.close()]);
    throw new Error(
      `cannot serve /metrics on ${config.agentMetricsHost}:${config.agentMetricsPort}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  logger.info(
    {
      node: config.node,
      gpuSource: config.gpuSource,
      collectors: sources.others.map((c) => c.name),
      watchPods: config.watchPods,
      intervalMs: config.sampleIntervalMs,
      bootId: agent.bootId,
      spoolDir: config.spoolDir,
      fsync: config.spoolFsync,
      metrics: `${server.url}/metrics`,
    },
    'agent started',
  );
  agent.start(config.sampleIntervalMs);
  await shutdown.closeOnSignal([
    {
      name: 'sampling',
      timeoutMs: shares.quickMs,
      close: async () => {
        await agent.close();
        logger.info({ bootId: agent.bootId, batches: agent.batches }, 'sampling stopped');
      },
    },
    ...(podEvents ? [{ name: 'pod watch', timeoutMs: shares.quickMs, close: () => podEvents.close() }] : []),
    ...(topology
      ? [{ name: 'topology reporter', timeoutMs: shares.quickMs, close: async () => topology.close() }]
      : []),
    {
      name: 'spool (delivering what it can; the rest stays on disk)',
      close: async () => {
        await spool.close();
        logger.info({ pendingRecords: spool.stats().pendingRecords }, 'spool closed');
      },
    },
    { name: 'Kafka producer', close: () => bus.close() },
    { name: 'HTTP server', timeoutMs: shares.quickMs, close: () => server.close() },
    { name: 'telemetry', timeoutMs: shares.quickMs, close: () => telemetry.close() },
  ]);
}
