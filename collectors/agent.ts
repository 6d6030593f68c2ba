import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { GpuSampleBatch, RecordSink } from '../contracts/index.ts';
import { Topics } from '../contracts/index.ts';
import type { Collector } from './collector.ts';

export interface AgentIdentity {
  readonly agentId: string;
  readonly cluster: string;
  readonly node: string;
}

export interface AgentDeps {
  readonly collector: Collector;
  readonly sink: RecordSink;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface Agent {
  /** One collect-and-send pass; resolves with the batch it sent. */
  tick(): Promise<GpuSampleBatch>;
  /** Ticks every `intervalMs` until closed; a failed tick is logged and the loop goes on. */
  start(intervalMs: number): void;
  close(): Promise<void>;
  readonly bootId: string;
}

/**
 * The per-host agent loop: collect, wrap into a GpuSampleBatch with (agentId, bootId, seq), send keyed
 * by node. `seq` grows by one per batch within a boot, so the pipeline can see gaps and repeats.
 */
export function createAgent(deps: AgentDeps, identity: AgentIdentity): Agent {
  const bootId = randomUUID();
  const abort = new AbortController();
  let seq = 0;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let inFlight: Promise<unknown> = Promise.resolve();

  const tick = async (): Promise<GpuSampleBatch> => {
    const result = await deps.collector.collect(abort.signal);
    for (const error of result.errors) deps.logger.warn({ collector: deps.collector.name, error }, 'partial collect');
    const batch: GpuSampleBatch = {
      schemaVersion: 1,
      agentId: identity.agentId,
      bootId,
      seq: seq++,
      cluster: identity.cluster,
      node: identity.node,
      collectedAtMs: deps.now(),
      source: deps.collector.name,
      samples: [...result.samples],
      processes: [...result.processes],
    };
    await deps.sink.send(Topics.gpuSamples, [{ key: identity.node, value: JSON.stringify(batch) }]);
    return batch;
  };

  return {
    bootId,
    tick,
    start(intervalMs) {
      const loop = () => {
        if (closed) return;
        inFlight = tick().catch((error: unknown) => deps.logger.error({ err: error }, 'agent tick failed'));
        timer = setTimeout(() => void inFlight.then(loop), intervalMs);
      };
      loop();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await inFlight;
      await deps.collector.close();
    },
  };
}
