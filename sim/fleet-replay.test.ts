import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeGpuSampleBatch,
  decodePodEvent,
  Topics,
  type GpuSampleBatch,
  type OutgoingRecord,
  type PodEvent,
  type RecordSink,
} from '../contracts/index.ts';
import { SHARED_DIR, TELEMETRY_FIXTURES } from '../test/helpers/fixtures.ts';
import { createFleetReplay, type FleetReplay } from './fleet-replay.ts';
import { loadOpenbFleet, type OpenbFleet } from './openb-fleet.ts';

const W0 = Date.UTC(2026, 10, 2);
const HOUR = 3_600_000;
const logger = pino({ level: 'silent' });

/** A sink that keeps every record, and refuses sends while `down`. */
const capture = () => {
  const got: { topic: string; record: OutgoingRecord }[] = [];
  const state = { down: false };
  const sink: RecordSink = {
    send: (topic, records) => {
      if (state.down) return Promise.reject(new Error('broker down'));
      for (const record of records) got.push({ topic, record });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const batches = () =>
    got.flatMap(({ topic, record }) => {
      const r = topic === Topics.gpuSamples ? decodeGpuSampleBatch(record.value) : null;
      if (r && !r.ok) throw new Error(r.error);
      return r ? [r.value] : [];
    });
  const podEvents = () =>
    got.flatMap(({ topic, record }) => {
      const r = topic === Topics.podEvents ? decodePodEvent(record.value) : null;
      if (r && !r.ok) throw new Error(r.error);
      return r ? [r.value] : [];
    });
  return { sink, state, batches, podEvents };
};

describe('fleet replay (bench:accuracy and the demo)', () => {
  const dirs: string[] = [];
  let replay: FleetReplay | null = null;
  afterEach(async () => {
    await replay?.stop();
    replay = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = (fleet: OpenbFleet, hours: number, sink: RecordSink, beforeTick?: (step: number) => Promise<void>) => {
    const stateRoot = mkdtempSync(join(tmpdir(), 'fleet-replay-test-'));
    dirs.push(stateRoot);
    replay = createFleetReplay(
      {
        cluster: 'openb',
        fleet,
        fromMs: W0,
        toMs: W0 + hours * HOUR,
        intervalMs: 60_000,
        stateRoot,
        fixturesDir: TELEMETRY_FIXTURES,
        gentd26Dir: join(SHARED_DIR, 'traces/gentd26'),
      },
      { sinkFor: () => sink, logger, ...(beforeTick ? { beforeTick } : {}) },
    );
    return replay;
  };
  /** Polls until every agent's spool is empty (bounded), saying what was left when the bound passes. */
  const drained = async (r: FleetReplay) => {
    const deadline = Date.now() + 20_000;
    while (r.counts().spooled > 0) {
      if (Date.now() > deadline) throw new Error(`${r.counts().spooled} records still spooled after 20 s`);
      await new Promise((done) => setTimeout(done, 50));
    }
  };

  it("a MIG node's agent sends what DCGM with nvidia-smi's process list gives: per instance busy time, processes on their instance, MIG requests", async () => {
    const fleet = loadOpenbFleet(join(SHARED_DIR, 'traces/openb'), {
      fromMs: W0,
      hours: 1,
      maxNodes: 8,
      spread: true,
      mig: true,
    });
    const node = fleet.nodes.find((n) => n.migLayout);
    const migPods = fleet.pods.filter((p) => p.node === node?.name && p.migProfile !== undefined);
    expect(node?.productName).toBe('NVIDIA A100-SXM4-40GB');
    expect(migPods.length).toBeGreaterThan(0);
    const { sink, batches, podEvents } = capture();
    const r = start(fleet, 1, sink);
    await r.run();
    await drained(r);

    const mine = batches().filter((b) => b.node === node?.name);
    expect(mine).toHaveLength(r.steps);
    const layout = (node?.migLayout ?? []).map((s) => `${s.gpuInstanceId}:${s.profile}`).sort();
    for (const b of mine) {
      expect(b.source).toBe('dcgm');
      for (const gpuUuid of node?.gpuUuids ?? []) {
        const parent = b.samples.filter((s) => s.kind === 'gpu' && s.gpuUuid === gpuUuid);
        expect(parent.map((s) => s.utilizationPct)).toEqual([null]);
        const instances = b.samples.filter((s) => s.kind === 'mig' && s.parentGpuUuid === gpuUuid);
        expect(instances.map((s) => `${s.mig?.gpuInstanceId}:${s.mig?.profile}`).sort()).toEqual(layout);
      }
      // Each process sits on the instance its pod holds, and that instance's sample is the pod's alone.
      const running = migPods.filter((p) => p.startMs <= b.collectedAtMs && b.collectedAtMs < p.endMs);
      expect(
        b.processes.map((p) => `${p.podUid}@${p.gpuUuid}/${p.gpuInstanceId}/${p.computeInstanceId}`).sort(),
      ).toEqual(running.map((p) => `${p.uid}@${node?.gpuUuids[p.gpuIndexes[0] ?? -1]}/${p.migInstance}/0`).sort());
      const idle = b.samples.filter(
        (s) =>
          s.kind === 'mig' &&
          !b.processes.some((p) => p.gpuUuid === s.parentGpuUuid && p.gpuInstanceId === s.mig?.gpuInstanceId),
      );
      expect(idle.every((s) => s.utilizationPct === 0)).toBe(true);
    }
    // The pods asked for their profile (nvidia.com/mig-<profile>: 1).
    const started = new Map(
      podEvents()
        .filter((e): e is PodEvent => e.event === 'started')
        .map((e) => [e.podUid, e.gpuRequest]),
    );
    const replayed = migPods.filter((p) => p.startMs <= W0 + (r.steps - 1) * 60_000);
    expect(replayed.length).toBeGreaterThan(0);
    for (const p of replayed) expect(started.get(p.uid)).toEqual({ kind: 'mig', profile: p.migProfile, count: 1 });
  }, 60_000);

  it("a leaving node's agent sends what it spooled before the node goes, even while sends fail", async () => {
    // Node 6 of 10 leaves three quarters into the window (churn); the sink refuses every send for a
    // second from two ticks before, so the leaving agent holds a spool when its node goes.
    const fleet = loadOpenbFleet(join(SHARED_DIR, 'traces/openb'), { fromMs: W0, hours: 3, maxNodes: 10, churn: true });
    const leaving = fleet.nodes.find((n) => n.leaveMs !== undefined);
    expect(leaving?.leaveMs).toBe(W0 + (3 * 3 * HOUR) / 4);
    const { sink, state, batches, podEvents } = capture();
    const leaveStep = ((leaving?.leaveMs ?? 0) - W0) / 60_000;
    const r = start(fleet, 3, sink, (step) => {
      if (step === leaveStep - 2) {
        state.down = true;
        setTimeout(() => (state.down = false), 1000);
      }
      return Promise.resolve();
    });
    await r.run();
    const host = r.hosts.find((h) => h.name === leaving?.name);
    expect(host?.online).toBe(false);
    await drained(r);

    const seen = (b: GpuSampleBatch) => `${b.agentId}/${b.bootId}/${b.seq}`;
    const byNode = new Map<string, Set<string>>();
    for (const b of batches()) byNode.set(b.node, (byNode.get(b.node) ?? new Set()).add(seen(b)));
    for (const h of r.hosts) expect(byNode.get(h.name)?.size, h.name).toBe(h.batches);
    expect(new Set(podEvents().map((e) => `${e.podUid}/${e.event}/${e.atMs}`)).size).toBe(r.counts().podEvents);
  }, 60_000);
});
