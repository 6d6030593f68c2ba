import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Command } from 'commander';
import { batchedFetch, type BatchedFetch } from '../../bus/batched-fetch.ts';
import { ConfigError } from '../../contracts/config-error.ts';
import { INGEST_TOPICS } from '../../contracts/index.ts';
import { loadCostConfig } from '../../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPipelineRuntime, type PipelineRuntimeConfig } from '../../pipeline/runtime.ts';
import { DEFAULT_RETENTION, parseMaxAge, type MaxAge } from '../../pipeline/retention/retention-policy.ts';
import { createKafkaLagProbe } from '../../pipeline/self-metrics/kafka-lag-probe.ts';
import { createMetricsServer } from '../../pipeline/self-metrics/metrics-server.ts';
import type { CliContext } from '../context.ts';
import { checkReadiness, notStopping } from '../readiness.ts';
import { installShutdown, shutdownShares } from '../shutdown.ts';
import { pingStore } from '../../pipeline/store/executor.ts';
import { alertingFromConfig } from '../alerting.ts';
import { createBus, openStore } from '../wiring.ts';
import { parseDuration } from '../parse-duration.ts';

interface PipelineOptions {
  readonly group: string;
  readonly members: string;
  readonly partitions: string;
  readonly batchRows: string;
  readonly batchDelay: string;
  readonly fetchWait: string;
  readonly metricsPort: string;
  readonly metricsHost: string;
  readonly rollupInterval: string;
  readonly gapsInterval: string;
  readonly retentionInterval: string;
  readonly ledgerInterval: string;
  /** Absent: the defaults (1h, 60s). */
  readonly recommendInterval?: string;
  readonly hintsInterval?: string;
  readonly maxGap: string;
  readonly retainRaw: string;
  readonly retainRollups: string;
  readonly retainLedger: string;
  readonly retainAudit: string;
  readonly rules?: string;
  readonly rulesInterval: string;
  readonly deliveryInterval: string;
}

/** Parses the flags into the runtime's config; one ConfigError lists every bad flag. */
export function pipelineConfigFromOptions(o: PipelineOptions): {
  runtime: PipelineRuntimeConfig;
  fetch: BatchedFetch;
  ledgerIntervalMs: number | null;
  recommendIntervalMs: number | null;
  hintsIntervalMs: number | null;
  /** Rule evaluation and alert delivery intervals; null: alerting off in this process. */
  alerting: { rulesIntervalMs: number; deliveryIntervalMs: number } | null;
  metricsPort: number;
  metricsHost: string;
} {
  const problems: string[] = [];
  const int = (flag: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) problems.push(`--${flag} must be an integer >= ${min}, got "${text}"`);
    return n;
  };
  const duration = (flag: string, text: string): number => {
    try {
      return parseDuration(text);
    } catch (error) {
      problems.push(`--${flag}: ${(error as Error).message}`);
      return 0;
    }
  };
  const interval = (flag: string, text: string) => (text === 'off' ? null : { intervalMs: duration(flag, text) });
  const age = (flag: string, text: string): MaxAge => {
    try {
      return parseMaxAge(text);
    } catch (error) {
      problems.push(`--${flag}: ${(error as Error).message}`);
      return { unit: 'day', count: 1 };
    }
  };
  const rollups = interval('rollup-interval', o.rollupInterval);
  const retention = interval('retention-interval', o.retentionInterval);
  const ledger = interval('ledger-interval', o.ledgerInterval);
  const recommend = interval('recommend-interval', o.recommendInterval ?? '1h');
  const hints = interval('hints-interval', o.hintsInterval ?? '60s');
  const rulesEvery = interval('rules-interval', o.rulesInterval);
  const deliveryEvery = duration('delivery-interval', o.deliveryInterval);
  const members = int('members', o.members, 1);
  const partitions = int('partitions', o.partitions, 1);
  const maxBatchRows = int('batch-rows', o.batchRows, 1);
  const maxBatchDelayMs = duration('batch-delay', o.batchDelay);
  const fetchWaitMs = duration('fetch-wait', o.fetchWait);
  const runtime: PipelineRuntimeConfig = {
    groupId: o.group,
    ingest: { members, partitions, maxBatchRows, maxBatchDelayMs },
    rollups: rollups && { ...rollups, maxGapMs: duration('max-gap', o.maxGap) },
    telemetryGaps: interval('gaps-interval', o.gapsInterval),
    retention: retention && {
      ...retention,
      policy: {
        ...DEFAULT_RETENTION,
        maxAge: {
          raw: age('retain-raw', o.retainRaw),
          rollup: age('retain-rollups', o.retainRollups),
          ledger: age('retain-ledger', o.retainLedger),
          audit: age('retain-audit', o.retainAudit),
        },
      },
    },
  };
  const metricsPort = int('metrics-port', o.metricsPort, 0);
  if (problems.length > 0) throw new ConfigError(problems);
  const fetch = batchedFetch({ members, partitions, waitMs: fetchWaitMs });
  return {
    runtime: { ...runtime, ingest: { ...runtime.ingest, batchesPerMember: fetch.batchesPerMember } },
    fetch,
    ledgerIntervalMs: ledger?.intervalMs ?? null,
    recommendIntervalMs: recommend?.intervalMs ?? null,
    hintsIntervalMs: hints?.intervalMs ?? null,
    alerting: rulesEvery && { rulesIntervalMs: rulesEvery.intervalMs, deliveryIntervalMs: deliveryEvery },
    metricsPort,
    metricsHost: o.metricsHost,
  };
}

/**
 * `gpu-ledger pipeline`: the ingest consumer group, rollups, telemetry gaps, retention, the cost ledger,
 * /metrics, /healthz and /readyz. SIGTERM/SIGINT (cli/shutdown.ts): stop intake and the jobs, store what
 * was delivered or abandon it uncommitted, commit, leave the group, close the clients, exit.
 */
export function registerPipelineCommand(program: Command, ctx: CliContext): void {
  program
    .command('pipeline')
    .description(
      'run the ingest pipeline: consume telemetry topics into ClickHouse, keep rollups, gaps and retention current',
    )
    .option('--group <id>', 'consumer group id', 'gpu-ledger-ingest')
    .option('--members <n>', 'consumer group members in this process (they share partitions and batches)', '2')
    .option(
      '--partitions <n>',
      'partitions of ingest topics this process creates (and shares between its members)',
      '1',
    )
    .option('--batch-rows <n>', 'insert once this many rows are buffered', '200000')
    .option(
      '--batch-delay <duration>',
      'insert at most this long after the first buffered record (e.g. 250ms, 2s)',
      '250ms',
    )
    .option(
      '--fetch-wait <duration>',
      'a Kafka fetch waits on the broker up to this long for data (16 MiB): fewer, larger inserts, which ClickHouse merges far less; 0ms returns at once',
      '1s',
    )
    .option('--metrics-port <port>', '/metrics, /healthz and /readyz port (0: any free port)', '9464')
    .option('--metrics-host <host>', 'address /metrics, /healthz and /readyz listen on', '127.0.0.1')
    .option('--rollup-interval <duration>', "rollup recomputation interval, or 'off'", '60s')
    .option('--gaps-interval <duration>', "telemetry-gap recomputation interval, or 'off'", '60s')
    .option('--retention-interval <duration>', "retention interval, or 'off'", '1h')
    .option(
      '--ledger-interval <duration>',
      "how often closed cost-ledger windows are computed (GPU_LEDGER_PRICE_CATALOG, GPU_LEDGER_COST_CONFIG), or 'off'",
      '5m',
    )
    .option(
      '--recommend-interval <duration>',
      "how often the recommender runs over the last 7 days (one pipeline process only), or 'off'",
      '1h',
    )
    .option(
      '--hints-interval <duration>',
      "how often node hints go to optimize.node-hints.v1 (one pipeline process only), or 'off'",
      '60s',
    )
    .option('--max-gap <duration>', 'longest interval a sample may stand for (longer is a telemetry gap)', '60s')
    .option('--retain-raw <age>', 'raw samples, processes, model-server samples, ledger', '14d')
    .option('--retain-rollups <age>', '1-minute and 1-hour rollups', '13mo')
    .option('--retain-ledger <age>', 'cost ledger and pod lifecycle (at least a year)', '13mo')
    .option('--retain-audit <age>', 'audit log (at least a year)', '13mo')
    .option('--rules <file>', 'anomaly rules YAML (docs/rules.md; default GPU_LEDGER_RULES, else the built-in rules)')
    .option('--rules-interval <duration>', "how often the anomaly rules are evaluated, or 'off'", '15s')
    .option(
      '--delivery-interval <duration>',
      'how often queued alerts are retried (GPU_LEDGER_ALERTMANAGER_URL, GPU_LEDGER_ALERT_WEBHOOKS); new ones go at once',
      '5s',
    )
    .action(async (options: PipelineOptions) => {
      const config = ctx.config();
      if (config.mode !== 'distributed') {
        throw new ConfigError([
          'gpu-ledger pipeline is the distributed-mode consumer: set GPU_LEDGER_MODE=distributed (embedded mode runs every component in one process, as `gpu-ledger demo` does)',
        ]);
      }
      const parsed = pipelineConfigFromOptions(options);
      const { metricsPort, metricsHost } = parsed;
      const catalog = loadPriceCatalog(config.priceCatalogPath ?? undefined);
      const cost = loadCostConfig(config.costConfigPath);
      const { recommendIntervalMs, hintsIntervalMs } = parsed;
      const logger = ctx.logger('pipeline');
      const shutdown = installShutdown({ logger, deadlineMs: config.shutdownTimeoutMs });
      const shares = shutdownShares(config.shutdownTimeoutMs);
      const runtimeConfig: PipelineRuntimeConfig = {
        ...parsed.runtime,
        ingest: { ...parsed.runtime.ingest, closeTimeoutMs: shares.drainMs },
        costLedger:
          parsed.ledgerIntervalMs === null ? null : { intervalMs: parsed.ledgerIntervalMs, catalog, options: { cost } },
        optimizer: {
          catalog,
          cost,
          recommender: recommendIntervalMs === null ? null : { intervalMs: recommendIntervalMs },
          nodeHints: hintsIntervalMs === null ? null : { intervalMs: hintsIntervalMs },
        },
        alerting:
          parsed.alerting && alertingFromConfig(config, { ...parsed.alerting, rulesPath: options.rules ?? null }),
      };
      const exporter = new PrometheusExporter({ preventServerStart: true });
      const meterProvider = new MeterProvider({ readers: [exporter] });
      const store = await openStore(config);
      const bus = createBus(config, logger, 'pipeline', parsed.fetch);
      const lagProbe = createKafkaLagProbe({
        brokers: config.kafkaBrokers,
        clientId: 'pipeline-lag',
        groupId: options.group,
        topics: INGEST_TOPICS,
        topicPrefix: config.topicPrefix,
      });
      const runtime = createPipelineRuntime(
        { bus, store, logger, now: Date.now, meter: meterProvider.getMeter('gpu-ledger-pipeline'), lagProbe },
        runtimeConfig,
      );
      const server = createMetricsServer(
        exporter,
        () => ({
          ok: runtime.ingest.running,
          ...runtime.ingest.stats,
          deadLettersByReason: Object.fromEntries(runtime.ingest.stats.deadLettersByReason),
        }),
        () =>
          checkReadiness(
            {
              shutdown: notStopping(shutdown),
              ingest: () => {
                if (!runtime.ingest.running) throw new Error('consumer group members not running');
              },
              kafka: async () => void (await lagProbe.read()),
              store: () => pingStore(store.executor),
            },
            2000,
          ),
      );
      await runtime.start();
      const port = await server.listen(metricsPort, metricsHost);
      logger.info(
        {
          group: options.group,
          members: runtimeConfig.ingest?.members,
          metrics: `http://${metricsHost}:${port}/metrics`,
        },
        'pipeline started',
      );
      await shutdown.closeOnSignal([
        {
          name: 'ingest and jobs (stop intake, store or abandon the writes in flight, commit, leave the group)',
          close: async () => {
            await runtime.close();
            const { stats } = runtime.ingest;
            logger.info(
              { ...stats, deadLettersByReason: Object.fromEntries(stats.deadLettersByReason) },
              'ingest stopped',
            );
          },
        },
        { name: 'metrics server', timeoutMs: shares.quickMs, close: () => server.close() },
        { name: 'meter provider', timeoutMs: shares.quickMs, close: () => meterProvider.shutdown() },
        { name: 'Kafka producer', close: () => bus.close() },
        { name: 'ClickHouse client', timeoutMs: shares.quickMs, close: () => store.close() },
      ]);
    });
}
