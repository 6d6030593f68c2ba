import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createAgent, type Agent } from '../../collectors/agent.ts';
import { createNvidiaSmiXmlCollector } from '../../collectors/nvidia-smi/nvidia-smi-xml-collector.ts';
import { Topics } from '../../contracts/index.ts';
import { createIngestConsumer } from '../../pipeline/ingest/ingest-consumer.ts';
import { createStoreWriters } from '../../pipeline/ingest/store-writers.ts';
import type { GpuUtilizationRow } from '../../pipeline/store/telemetry-store.ts';
import type { AppConfig } from '../config.ts';
import { createBus, openStore } from '../wiring.ts';
import { runCostReplay, type CostReplayResult } from './cost-replay.ts';
import { DEMO_FLEET } from './fleet.ts';

const FAKE_NVIDIA_SMI = resolve(fileURLToPath(import.meta.url), '../../../bin/fake-nvidia-smi.js');

export interface DemoOptions {
  readonly rounds: number;
  readonly intervalMs: number;
  /** The environment the fake nvidia-smi children inherit (PATH to find node). */
  readonly childEnv: Readonly<Record<string, string>>;
  /** Drive each GPU's utilization and memory from the real gentd26 pod series (else the capture's own values). */
  readonly trace: boolean;
  /** openb nodes replaying the last two closed hours for the cost report (0: no cost part). */
  readonly costNodes: number;
  /** Progress lines for a person watching. */
  readonly onProgress: (line: string) => void;
}

export interface DemoResult {
  readonly nodes: number;
  readonly batchesSent: number;
  readonly samplesSent: number;
  readonly accepted: number;
  readonly deadLetters: number;
  readonly deadLettersByReason: Readonly<Record<string, number>>;
  readonly utilization: readonly GpuUtilizationRow[];
  readonly cost: CostReplayResult | null;
  readonly elapsedMs: number;
}

/**
 * The end-to-end demo: one agent per fleet node samples the fake nvidia-smi, batches go over the bus
 * (in-process or Kafka), the ingest consumer writes them to the store (chDB or ClickHouse server),
 * one deliberately malformed record shows the dead-letter path, and the store is queried back.
 * Then the cost part (cost-replay.ts): openb nodes replay two closed hours and the ledger prices them.
 */
export async function runDemo(config: AppConfig, logger: Logger, options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const store = await openStore(config);
  const bus = createBus(config, logger, 'demo');
  const ingest = createIngestConsumer({
    bus,
    writers: createStoreWriters(store, Date.now),
    logger: logger.child({ component: 'ingest' }),
    now: Date.now,
  });
  const agents: Agent[] = DEMO_FLEET.map(({ node, capture }, i) =>
    createAgent(
      {
        gpuCollector: createNvidiaSmiXmlCollector(
          {
            path: FAKE_NVIDIA_SMI,
            timeoutMs: 10_000,
            maxOutputBytes: 16 * 1024 * 1024,
            env: {
              ...options.childEnv,
              FAKE_NVIDIA_SMI_XML: join(config.fixturesDir, capture),
              // Each node's GPUs follow their own pods of the trace (a node has at most 2 GPUs here).
              ...(options.trace
                ? {
                    FAKE_NVIDIA_SMI_TRACE_DIR: join(config.tracesDir, 'gentd26'),
                    FAKE_NVIDIA_SMI_TRACE_OFFSET: String(i * 2),
                  }
                : {}),
            },
          },
          Date.now,
        ),
        sink: bus,
        logger: logger.child({ component: 'agent', node }),
        now: Date.now,
      },
      { agentId: `${config.cluster}/${node}`, cluster: config.cluster, node },
    ),
  );
  try {
    await ingest.start({ groupId: `gpu-ledger-demo-${started}` });
    let batchesSent = 0;
    let samplesSent = 0;
    for (let round = 0; round < options.rounds; round++) {
      const batches = await Promise.all(agents.map((a) => a.tick()));
      batchesSent += batches.length;
      samplesSent += batches.reduce((n, b) => n + b.samples.length, 0);
      options.onProgress(
        `round ${round + 1}/${options.rounds}: ${batches.length} agents sampled, ${batchesSent} batches sent`,
      );
      if (round + 1 < options.rounds) await new Promise((r) => setTimeout(r, options.intervalMs));
    }
    // One broken record, as a misbehaving producer would send: it must land in the dead-letter topic.
    await bus.send(Topics.gpuSamples, [{ key: 'gpu-broken-0', value: '{"schemaVersion":1,"agentId":"broken"' }]);
    const deadline = Date.now() + 60_000;
    while (ingest.stats.accepted < batchesSent || ingest.stats.deadLetters < 1) {
      if (Date.now() > deadline)
        throw new Error(`demo: only ${ingest.stats.accepted} of ${batchesSent} batches reached the store within 60 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const utilization = await store.gpuUtilization({ fromMs: started - 1000, toMs: Date.now() + 1000 });
    const { accepted, deadLetters } = ingest.stats;
    const deadLettersByReason = Object.fromEntries(ingest.stats.deadLettersByReason);
    const cost =
      options.costNodes > 0
        ? await runCostReplay(
            config,
            { store, bus, ingest, logger },
            { nodes: options.costNodes, nowMs: Date.now(), onProgress: options.onProgress },
          )
        : null;
    return {
      nodes: agents.length,
      batchesSent,
      samplesSent,
      accepted,
      deadLetters,
      deadLettersByReason,
      utilization,
      cost,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await Promise.all(agents.map((a) => a.close()));
    await ingest.close();
    await bus.close();
    await store.close();
  }
}
