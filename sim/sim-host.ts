/**
 * One simulated GPU host of the accuracy bench: the REAL agent pieces (createAgent, the disk spool in
 * front of Kafka, the pod event tracker with its state file, the pod event publisher), fed by a
 * simulated Kubernetes node (the pods placed on it, as Pod objects in the API's wire form) and a
 * simulated nvidia-smi (a real captured Tesla T4 sample as the template; UUID, product name, memory
 * and utilization per GPU from the fleet and the gentd26 series of the pods on it) — or, on a MIG node,
 * a simulated dcgm-exporter with nvidia-smi's process list (per instance busy time). Time is the
 * bench's simulated clock, so hours of telemetry replay in minutes.
 *
 * Restarts are real restarts: `stop()` closes agent, publisher and spool (what Kafka did not take
 * stays on disk) and saves the tracker; `boot()` opens them again with a new bootId, re-lists the
 * node's pods, and the restored tracker emits `deleted` for pods that vanished meanwhile.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createAgent, type Agent } from '../collectors/agent.ts';
import type { Collector, CollectResult } from '../collectors/collector.ts';
import { createPodEventPublisher, type PodEventPublisher } from '../collectors/kubernetes/pod-event-publisher.ts';
import { createPodEventTracker, type PodEventTracker } from '../collectors/kubernetes/pod-event-tracker.ts';
import type { PodLike } from '../collectors/kubernetes/pod-info.ts';
import { loadTrackedPods, saveTrackedPods } from '../collectors/kubernetes/pod-tracker-state.ts';
import type { PodEventListener } from '../collectors/kubernetes/pod-watcher.ts';
import { migInstanceUuid } from '../collectors/mig-identity.ts';
import { createSpoolingSink, type SpoolingSink } from '../collectors/spool/spooling-sink.ts';
import type { GpuProcess, GpuSample, PodEvent, RecordSink } from '../contracts/index.ts';
import { traceReading } from './gentd26-trace.js';
import type { MigSlot, SimNode, SimPod } from './openb-fleet.ts';

export interface SimHostConfig {
  readonly cluster: string;
  readonly node: SimNode;
  /** The agent's state dir: spool segments and pod-tracker.json. */
  readonly dir: string;
  /** A real captured whole-GPU sample; every simulated GPU reports its shape. */
  readonly template: Extract<GpuSample, { kind: 'gpu' }>;
  readonly gentd26Dir: string;
  /** The wall time read as the trace's first moment (OpenbFleet.traceEpochMs). */
  readonly traceEpochMs: number;
}

export interface SimHostDeps {
  /** Kafka (possibly wrapped to deliver everything twice). */
  readonly sink: RecordSink;
  readonly now: () => number;
  readonly logger: Logger;
  /** Told every pod event the tracker emitted (the bench counts the distinct ones). */
  readonly onPodEvents: (events: readonly PodEvent[]) => void;
}

export interface SimHost {
  readonly name: string;
  readonly online: boolean;
  readonly batches: number;
  boot(): Promise<void>;
  stop(): Promise<void>;
  podStarted(pod: SimPod): void;
  podDeleted(pod: SimPod): void;
  tick(): Promise<void>;
  pendingRecords(): number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The pod as the API server serves it: running since its start; `deletionTimestamp` once deleted (grace period 0). */
export const podObject = (p: SimPod, deleted: boolean): PodLike => ({
  metadata: {
    uid: p.uid,
    name: p.name,
    namespace: p.namespace,
    labels: { app: p.name },
    creationTimestamp: iso(p.createdMs),
    ...(deleted ? { deletionTimestamp: iso(p.endMs) } : {}),
  },
  spec: {
    nodeName: p.node,
    containers: [
      {
        resources: {
          limits:
            p.migProfile !== undefined
              ? { [`nvidia.com/mig-${p.migProfile}`]: '1' }
              : p.milli < 1000
                ? { 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': String(p.milli / 10) }
                : { 'nvidia.com/gpu': String(p.numGpu) },
        },
      },
    ],
  },
  status: {
    phase: 'Running',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(p.startMs) }],
    containerStatuses: [{ state: { running: { startedAt: iso(p.startMs) } } }],
  },
});

export function createSimHost(config: SimHostConfig, deps: SimHostDeps): SimHost {
  const { node } = config;
  const statePath = join(config.dir, 'pod-tracker.json');
  const running = new Map<string, SimPod>(); // what the API server would list for this node
  const listeners = new Set<PodEventListener>();
  let parts: { spool: SpoolingSink; agent: Agent; tracker: PodEventTracker; publisher: PodEventPublisher } | null =
    null;
  let batches = 0;
  let saving: Promise<void> = Promise.resolve();
  /** What a stopped agent left in its spool on disk (its next boot sends it). */
  let leftOnDisk = 0;

  // As the real pod watcher (collectors/kubernetes/pod-watcher.ts): the tracker's state is saved after
  // every change, so an agent killed without warning restarts knowing what it had published.
  const emit = (events: readonly PodEvent[]) => {
    if (events.length === 0) return;
    deps.onPodEvents(events);
    for (const l of listeners) l(events);
    const snapshot = parts?.tracker.snapshot();
    if (snapshot) saving = saving.then(() => saveTrackedPods(statePath, snapshot));
  };

  const reading = (p: SimPod, t: number, memoryBytes: number) =>
    traceReading(config.gentd26Dir, p.series, t - config.traceEpochMs, memoryBytes);
  const pid = (p: SimPod) => 1000 + (p.series % 4_000_000);
  const gpuSample = (gpuUuid: string, index: number, t: number) => ({
    ...config.template,
    gpuUuid,
    index,
    model: node.productName,
    observedAtMs: t,
    memoryTotalBytes: node.memoryBytes,
    pciBusId: `00000000:${(0x18 + index).toString(16).toUpperCase()}:00.0`,
  });

  // A MIG node's agent reads dcgm-exporter with nvidia-smi's process list (GPU_LEDGER_DCGM_PROCESSES=
  // nvidia-smi), as collectors/dcgm does: per GPU a parent sample with no utilization, per GPU instance
  // a sample whose utilization is its engine's busy share (DCGM's GR_ENGINE_ACTIVE) keyed like DCGM's
  // (parent UUID, GPU_I_ID, profile), and each process with its instance ids.
  const migCollect = (layout: readonly MigSlot[], t: number): CollectResult => {
    const onSlot = new Map<string, SimPod>();
    for (const p of running.values()) onSlot.set(`${p.gpuIndexes[0]}/${p.migInstance}`, p);
    const samples: GpuSample[] = [];
    const processes: GpuProcess[] = [];
    node.gpuUuids.forEach((gpuUuid, index) => {
      let memory = 0;
      for (const slot of layout) {
        const p = onSlot.get(`${index}/${slot.gpuInstanceId}`);
        const slotBytes = Number(/\.(\d+)gb$/.exec(slot.profile)?.[1]) * 2 ** 30;
        const r = p ? reading(p, t, slotBytes) : { utilizationPct: 0, memoryUsedBytes: 0 };
        memory += r.memoryUsedBytes;
        samples.push({
          ...gpuSample(migInstanceUuid(gpuUuid, slot.gpuInstanceId, null), index, t),
          kind: 'mig',
          parentGpuUuid: gpuUuid,
          mig: { gpuInstanceId: slot.gpuInstanceId, computeInstanceId: null, profile: slot.profile },
          utilizationPct: r.utilizationPct,
          graphicsEngineActivePct: r.utilizationPct,
          memoryUsedBytes: Math.round(r.memoryUsedBytes),
          memoryTotalBytes: slotBytes,
        });
        if (p)
          processes.push({
            gpuUuid,
            gpuInstanceId: slot.gpuInstanceId,
            computeInstanceId: 0,
            pid: pid(p),
            processName: 'python',
            usedMemoryBytes: Math.round(r.memoryUsedBytes),
            podUid: p.uid,
            containerId: null,
          });
      }
      samples.push({ ...gpuSample(gpuUuid, index, t), utilizationPct: null, memoryUsedBytes: Math.round(memory) });
    });
    return { samples, processes, modelServers: [], xidEvents: [], errors: [] };
  };

  const collector: Collector & { readonly name: 'nvidia-smi-xml' | 'dcgm' } = {
    name: node.migLayout ? 'dcgm' : 'nvidia-smi-xml',
    collect(): Promise<CollectResult> {
      const t = deps.now();
      if (node.migLayout) return Promise.resolve(migCollect(node.migLayout, t));
      const onGpu = node.gpuUuids.map(() => [] as SimPod[]);
      for (const p of running.values()) for (const g of p.gpuIndexes) onGpu[g]?.push(p);
      const processes: GpuProcess[] = [];
      const samples = node.gpuUuids.map((gpuUuid, index): GpuSample => {
        let [util, memory] = [0, 0];
        for (const p of onGpu[index] ?? []) {
          const r = reading(p, t, node.memoryBytes);
          util += (r.utilizationPct * p.milli) / 1000;
          memory += (r.memoryUsedBytes * p.milli) / 1000;
          processes.push({
            gpuUuid,
            pid: pid(p),
            processName: 'python',
            usedMemoryBytes: Math.round((r.memoryUsedBytes * p.milli) / 1000),
            podUid: p.uid,
            containerId: null,
          });
        }
        return {
          ...gpuSample(gpuUuid, index, t),
          utilizationPct: Math.min(100, Math.round(util)),
          memoryUsedBytes: Math.min(node.memoryBytes, Math.round(memory)),
        };
      });
      return Promise.resolve({ samples, processes, modelServers: [], xidEvents: [], errors: [] });
    },
    close: () => Promise.resolve(),
  };

  return {
    name: node.name,
    get online() {
      return parts !== null;
    },
    get batches() {
      return batches;
    },
    async boot() {
      const logger = deps.logger.child({ node: node.name });
      // Replay in 64 KiB sends: a thousand spools share one producer here, and what they hand it at
      // once must drain within the spool's send timeout (one agent alone uses the 512 KiB default).
      const spool = await createSpoolingSink(
        deps.sink,
        { dir: config.dir, maxBytes: 256 * 2 ** 20, fsync: 'never', closeTimeoutMs: 500, maxSendBytes: 64 * 1024 },
        { logger, now: Date.now },
      );
      const tracker = createPodEventTracker({ cluster: config.cluster }, deps.now, await loadTrackedPods(statePath));
      const publisher = createPodEventPublisher(
        { subscribe: (l) => (listeners.add(l), () => void listeners.delete(l)) },
        spool,
        { logger },
      );
      const agent = createAgent(
        { gpuCollector: collector, sink: spool, logger, now: deps.now },
        { agentId: `${config.cluster}/${node.name}`, cluster: config.cluster, node: node.name },
      );
      parts = { spool, agent, tracker, publisher };
      emit(tracker.resync([...running.values()].map((p) => podObject(p, false))));
    },
    async stop() {
      if (!parts) return;
      const { spool, agent, tracker, publisher } = parts;
      parts = null;
      await agent.close();
      await publisher.flush();
      await publisher.close();
      await saving;
      await saveTrackedPods(statePath, tracker.snapshot());
      await spool.close();
      leftOnDisk = spool.stats().pendingRecords;
    },
    podStarted(pod) {
      running.set(pod.uid, pod);
      if (parts) emit(parts.tracker.observe(podObject(pod, false)));
    },
    podDeleted(pod) {
      running.delete(pod.uid);
      if (parts) emit(parts.tracker.remove(podObject(pod, true)));
    },
    async tick() {
      if (!parts) return;
      await parts.agent.tick();
      batches++;
    },
    pendingRecords: () => parts?.spool.stats().pendingRecords ?? leftOnDisk,
  };
}
