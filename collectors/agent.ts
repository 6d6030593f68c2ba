import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  GpuProcess,
  GpuSample,
  GpuSampleBatch,
  GpuSampleSource,
  ModelServerSample,
  RecordSink,
} from '../contracts/index.ts';
import { Topics } from '../contracts/index.ts';
import { emptyCollectResult, type Collector, type CollectResult, type XidEvent } from './collector.ts';

export interface AgentIdentity {
  readonly agentId: string;
  readonly cluster: string;
  readonly node: string;
}

/** Maps a GPU process to its pod (from /proc/<pid>/cgroup); null when it is not in a pod. */
export type PodResolver = (
  pid: number,
) => Promise<{ readonly podUid: string; readonly containerId: string | null } | null>;

/** Hooks for the agent's self-metrics (collectors/self-metrics); every method must be cheap and never throw. */
export interface AgentObserver {
  /** One collector's pass: how long it took and what it produced (errors included). */
  collected(collector: Collector['name'], durationMs: number, result: CollectResult): void;
  /** One tick's end: the batch handed to the sink, or why the tick failed. */
  ticked(
    outcome: { readonly ok: true; readonly batch: GpuSampleBatch } | { readonly ok: false; readonly error: unknown },
  ): void;
}

export interface AgentDeps {
  /** The source of GPU and MIG samples (nvidia-smi XML or CSV, or DCGM). */
  readonly gpuCollector: Collector & { readonly name: GpuSampleSource };
  /** Further sources: model servers, the kernel log's Xid errors. */
  readonly collectors?: readonly Collector[];
  readonly resolvePod?: PodResolver;
  /**
   * How long a pid's pod stays known without reading /proc again, while the pid stays on the GPU
   * process list from tick to tick (a pid missing from one tick is forgotten, so a reused pid is
   * read afresh). Default 30 s; 0 reads every tick.
   */
  readonly podCacheMs?: number;
  /** Where records go: Kafka directly, or the spooling sink in front of it. */
  readonly sink: RecordSink;
  readonly logger: Logger;
  readonly now: () => number;
  readonly observer?: AgentObserver;
}

export interface Agent {
  /** One collect-and-send pass; resolves with the batch it sent. */
  tick(): Promise<GpuSampleBatch>;
  /** Ticks every `intervalMs` until closed; a failed tick is logged and the loop goes on. */
  start(intervalMs: number): void;
  close(): Promise<void>;
  readonly bootId: string;
  /** Batches made this boot (seq 0 … batches - 1); each went to the sink unless its tick logged a failure. */
  readonly batches: number;
}

/** PCI bus ids differ in domain width and case between nvidia-smi (00000000:3B:00.0) and NVRM (0000:3b:00). */
export const normalizePciBusId = (id: string): string => {
  const m = /^(?:([0-9a-f]+):)?([0-9a-f]{2}):([0-9a-f]{2})(?:\.[0-9a-f])?$/i.exec(id.trim());
  return m ? `${m[2]}:${m[3]}`.toLowerCase() : id.trim().toLowerCase();
};

/** Adds the Xid codes seen this interval to the sample of the GPU they name (by PCI bus id). */
function attachXids(samples: readonly GpuSample[], events: readonly XidEvent[]): GpuSample[] {
  if (events.length === 0) return [...samples];
  return samples.map((s) => {
    if (s.kind !== 'gpu' || !s.pciBusId) return s;
    const bus = normalizePciBusId(s.pciBusId);
    const xids = events.filter((e) => e.pciBusId !== null && normalizePciBusId(e.pciBusId) === bus).map((e) => e.xid);
    return xids.length === 0 ? s : { ...s, xidErrors: [...(s.xidErrors ?? []), ...xids] };
  });
}

/**
 * The per-host agent loop: collect from every source in parallel (a failing source is an error
 * entry, never a failed tick), bind GPU processes to pods, wrap the GPU samples into a
 * GpuSampleBatch with (agentId, bootId, seq), and send it keyed by node, with the model-server
 * samples beside it. `seq` grows by one per batch within a boot, so gaps and repeats are visible.
 */
export function createAgent(deps: AgentDeps, identity: AgentIdentity): Agent {
  const bootId = randomUUID();
  const abort = new AbortController();
  const collectors = [deps.gpuCollector, ...(deps.collectors ?? [])];
  let seq = 0;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let inFlight: Promise<unknown> = Promise.resolve();

  const collectAll = (): Promise<CollectResult[]> =>
    Promise.all(
      collectors.map(async (c) => {
        const started = performance.now();
        const result = await c
          .collect(abort.signal)
          .catch((error: unknown) =>
            emptyCollectResult([`${c.name}: ${error instanceof Error ? error.message : String(error)}`]),
          );
        deps.observer?.collected(c.name, performance.now() - started, result);
        return result;
      }),
    );

  /** Pods of the pids on the last tick's process list, with when they were read. */
  type KnownPod = { readonly pod: Awaited<ReturnType<PodResolver>>; readonly atMs: number };
  let knownPods = new Map<number, KnownPod>();
  const podCacheMs = deps.podCacheMs ?? 30_000;

  const bindPods = async (processes: readonly GpuProcess[]): Promise<GpuProcess[]> => {
    const resolve = deps.resolvePod;
    if (!resolve) return [...processes];
    const nowMs = deps.now();
    const previous = knownPods;
    const current = new Map<number, KnownPod>();
    knownPods = current;
    // A process on several GPUs is listed once per GPU: its pod is looked up once per tick.
    const pending = new Map<number, ReturnType<PodResolver>>();
    const podOf = (pid: number): ReturnType<PodResolver> => {
      const known = previous.get(pid);
      if (known && nowMs - known.atMs < podCacheMs) {
        current.set(pid, known);
        return Promise.resolve(known.pod);
      }
      let pod = pending.get(pid);
      if (pod === undefined) {
        pod = resolve(pid).then(
          (found) => (current.set(pid, { pod: found, atMs: nowMs }), found),
          () => null, // not remembered: read again next tick
        );
        pending.set(pid, pod);
      }
      return pod;
    };
    return Promise.all(
      processes.map(async (p) => {
        const pod = await podOf(p.pid);
        return pod ? { ...p, podUid: pod.podUid, containerId: pod.containerId } : p;
      }),
    );
  };

  const tick = async (): Promise<GpuSampleBatch> => {
    try {
      const batch = await collectAndSend();
      deps.observer?.ticked({ ok: true, batch });
      return batch;
    } catch (error) {
      deps.observer?.ticked({ ok: false, error });
      throw error;
    }
  };

  const collectAndSend = async (): Promise<GpuSampleBatch> => {
    const results = await collectAll();
    const [gpu] = results as [CollectResult, ...CollectResult[]];
    results.forEach((r, i) => {
      for (const error of r.errors) deps.logger.warn({ collector: collectors[i]?.name, error }, 'partial collect');
    });
    const collectedAtMs = deps.now();
    const batch: GpuSampleBatch = {
      schemaVersion: 1,
      agentId: identity.agentId,
      bootId,
      seq: seq++,
      cluster: identity.cluster,
      node: identity.node,
      collectedAtMs,
      source: deps.gpuCollector.name,
      samples: attachXids(
        gpu.samples,
        results.flatMap((r) => r.xidEvents),
      ),
      processes: await bindPods(results.flatMap((r) => r.processes)),
    };
    const modelSamples: ModelServerSample[] = results.flatMap((r) =>
      r.modelServers.map((m) => ({
        ...m,
        schemaVersion: 1 as const,
        agentId: identity.agentId,
        cluster: identity.cluster,
        node: identity.node,
      })),
    );
    await deps.sink.send(Topics.gpuSamples, [{ key: identity.node, value: JSON.stringify(batch) }]);
    if (modelSamples.length > 0)
      await deps.sink.send(
        Topics.modelServerSamples,
        modelSamples.map((m) => ({ key: identity.node, value: JSON.stringify(m) })),
      );
    return batch;
  };

  return {
    bootId,
    get batches() {
      return seq;
    },
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
      await Promise.all(collectors.map((c) => c.close()));
    },
  };
}
