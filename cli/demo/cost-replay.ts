/**
 * The demo's cost part: the first `nodes` GPU nodes of the openb trace replay the last two closed
 * hours (sim/fleet-replay.ts: real agents, pod watchers fed the trace's pods, utilization from
 * gentd26) through the same bus and ingest as the live rounds; then the cost ledger job computes
 * those hours as the pipeline would, and the report is read back by tenant. One agent restarts halfway
 * (its spool and pod tracker carry over), so the comparison with the simulator's independent truth
 * (sim/truth: per tenant cost and waste, unallocated idle, usage) says something.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordBus } from '../../contracts/index.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { costReport, type CostReport } from '../../pipeline/cost/cost-report.ts';
import { DEFAULT_PRICE_CATALOG_PATH, loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { replayStoredRules } from '../../pipeline/rules/replay-stored.ts';
import { DEFAULT_RULES_CONFIG } from '../../pipeline/rules/rules-config.ts';
import type { IngestConsumer } from '../../pipeline/ingest/ingest-consumer.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import type { TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { createFleetReplay, type FleetReplay } from '../../sim/fleet-replay.ts';
import { loadOpenbFleet, NAMESPACE_TENANTS, type SimPod } from '../../sim/openb-fleet.ts';
import { readTruthPrices } from '../../sim/truth/catalog-prices.ts';
import { simFleetTruth } from '../../sim/truth/fleet-truth.ts';
import { compareLedgerWithTruth, type LedgerVsTruth } from '../../sim/truth/ledger-vs-truth.ts';
import type { AppConfig } from '../config.ts';

const HOUR_MS = 3_600_000;

export interface CostReplayResult {
  readonly nodes: number;
  readonly gpus: number;
  readonly pods: number;
  readonly batches: number;
  readonly report: CostReport;
  /** The ledger by tenant against the simulator's independent truth (sim/truth: its own price reading). */
  readonly comparison: LedgerVsTruth;
  /** The faults the replay ran, as `bench:accuracy` names them. */
  readonly faults: readonly string[];
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
  const faults: string[] = [];
  const replay: FleetReplay = createFleetReplay(
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
    {
      sinkFor: () => parts.bus,
      logger: parts.logger,
      // Halfway through, the busiest node's agent restarts: what it spooled and the pods it tracks carry over.
      beforeTick: async (step, simNowMs) => {
        if (step !== Math.floor(replay.steps / 2)) return;
        const host = busiestHost(replay, fleet.pods);
        if (!host) return;
        await host.stop();
        await host.boot();
        faults.push('agent-restart');
        options.onProgress(`fault: the agent of ${host.name} restarted at ${new Date(simNowMs).toISOString()}`);
      },
    },
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
    const report = await costReport(createCostStore(executor, { database }), { fromMs, toMs, by: ['tenant'] });
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
      report,
      comparison: compareLedgerWithTruth(
        report,
        simFleetTruth(
          fleet,
          { fromMs, toMs },
          readTruthPrices(config.priceCatalogPath ?? DEFAULT_PRICE_CATALOG_PATH),
          join(config.tracesDir, 'gentd26'),
        ),
      ),
      faults,
    };
  } finally {
    await replay.stop();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

/** The host whose node has the most pods in the replay (the restart that can lose the most). */
const busiestHost = (replay: FleetReplay, pods: readonly SimPod[]) => {
  const count = new Map<string, number>();
  for (const p of pods) count.set(p.node, (count.get(p.node) ?? 0) + 1);
  return [...replay.hosts].sort((a, b) => (count.get(b.name) ?? 0) - (count.get(a.name) ?? 0))[0];
};
