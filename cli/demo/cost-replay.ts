/**
 * The demo's cost part: the first `nodes` GPU nodes of the openb trace replay the last two closed
 * hours (sim/fleet-replay.ts: real agents, pod watchers fed the trace's pods, utilization from
 * gentd26) through the same bus and ingest as the live rounds; then the cost ledger job computes
 * those hours as the pipeline would, and the report is read back by tenant. The simulator's truth
 * comes along so the demo can show how close the ledger is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordBus } from '../../contracts/index.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { costReport, type CostReport } from '../../pipeline/cost/cost-report.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { replayStoredRules } from '../../pipeline/rules/replay-stored.ts';
import { DEFAULT_RULES_CONFIG } from '../../pipeline/rules/rules-config.ts';
import type { IngestConsumer } from '../../pipeline/ingest/ingest-consumer.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import type { TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { createFleetReplay } from '../../sim/fleet-replay.ts';
import { fleetTruth, loadOpenbFleet, NAMESPACE_TENANTS, type FleetTruth } from '../../sim/openb-fleet.ts';
import type { AppConfig } from '../config.ts';

const HOUR_MS = 3_600_000;

export interface CostReplayResult {
  readonly nodes: number;
  readonly gpus: number;
  readonly pods: number;
  readonly batches: number;
  readonly report: CostReport;
  readonly truth: FleetTruth;
  /** The alerts the anomaly rules fired over the replayed hours (evaluated every minute as the pipeline would), each in its last state. */
  readonly alerts: readonly AlertRecord[];
}

export async function runCostReplay(
  config: AppConfig,
  parts: {
    readonly store: TelemetryStore;
    readonly bus: RecordBus;
    readonly ingest: IngestConsumer;
    readonly logger: Logger;
  },
  options: { readonly nodes: number; readonly nowMs: number; readonly onProgress: (line: string) => void },
): Promise<CostReplayResult> {
  const toMs = Math.floor(options.nowMs / HOUR_MS) * HOUR_MS - HOUR_MS; // closed well past the ledger's 15-minute delay
  const fromMs = toMs - 2 * HOUR_MS;
  const fleet = loadOpenbFleet(join(config.tracesDir, 'openb'), { fromMs, hours: 2, maxNodes: options.nodes });
  const stateRoot = mkdtempSync(join(tmpdir(), 'gpu-ledger-demo-agents-'));
  const replay = createFleetReplay(
    {
      cluster: config.cluster,
      fleet,
      fromMs,
      toMs,
      intervalMs: 60_000,
      stateRoot,
      fixturesDir: config.fixturesDir,
      gentd26Dir: join(config.tracesDir, 'gentd26'),
    },
    { sinkFor: () => parts.bus, logger: parts.logger },
  );
  try {
    const acceptedBefore = parts.ingest.stats.accepted;
    options.onProgress(
      `cost replay: ${fleet.nodes.length} openb nodes, ${fleet.pods.length} pods, ${new Date(fromMs).toISOString()} .. ${new Date(toMs).toISOString()} in simulated time…`,
    );
    await replay.run();
    const { batches, podEvents } = replay.counts();
    await replay.stop();
    const deadline = Date.now() + 120_000;
    while (parts.ingest.stats.accepted - acceptedBefore < batches + podEvents) {
      if (Date.now() > deadline)
        throw new Error(
          `demo: only ${parts.ingest.stats.accepted - acceptedBefore} of ${batches + podEvents} replayed records reached the store within 120 s`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
    const catalog = loadPriceCatalog(config.priceCatalogPath ?? undefined);
    const cost = parseCostConfig(
      `tenancy: { namespaceTenants: ${JSON.stringify(NAMESPACE_TENANTS)} }`,
      'demo cost config',
    );
    const { executor, database } = parts.store;
    await createCostLedgerJob(
      { executor, database, catalog, options: { cost } },
      { now: () => options.nowMs, logger: parts.logger },
    ).run({ fromMs, untilMs: toMs });
    const prices = createPriceLookup(catalog);
    const rules = await replayStoredRules({ executor, database, pricing: { prices, cost } }, DEFAULT_RULES_CONFIG, {
      fromMs,
      toMs,
      stepMs: 60_000,
    });
    return {
      // each alert that fired, in its last state (resolved or still open): the $ it burned in all
      alerts: (() => {
        const latest = new Map([...rules.notifications, ...rules.open].map((a) => [a.alertId, a]));
        return rules.notifications.filter((n) => n.state === 'firing').map((n) => latest.get(n.alertId) ?? n);
      })(),
      nodes: fleet.nodes.length,
      gpus: fleet.nodes.reduce((n, node) => n + node.gpuUuids.length, 0),
      pods: fleet.pods.length,
      batches,
      report: await costReport(createCostStore(executor, { database }), { fromMs, toMs, by: ['tenant'] }),
      truth: fleetTruth(
        fleet,
        { fromMs, toMs },
        (model) => prices.priceAt({ gpuModel: model, tier: 'on-demand' }, fromMs).usdPerGpuHour,
      ),
    };
  } finally {
    await replay.stop();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}
