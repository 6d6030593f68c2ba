import { describe, expect, it } from 'vitest';
import { decodePodEvent, type PodEvent } from '../../contracts/index.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPodEventTracker } from './pod-event-tracker.ts';
import { loadTrackedPods, saveTrackedPods } from './pod-tracker-state.ts';
import type { PodLike } from './pod-info.ts';

// Pods as the API server's JSON (watch events carry this form): RFC 3339 strings, second precision.
const NOW = Date.parse('2026-03-01T12:00:00Z');
const UID = '6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5';
const base: PodLike = {
  metadata: {
    uid: UID,
    name: 'train-llama-0',
    namespace: 'research',
    labels: { team: 'nlp', tenant: 'acme' },
    ownerReferences: [{ kind: 'Job', name: 'train-llama', controller: true }],
    creationTimestamp: '2026-03-01T10:00:00Z',
  },
  spec: { nodeName: 'gpu-node-07', containers: [{ resources: { limits: { 'nvidia.com/gpu': '2' } } }] },
  status: { phase: 'Pending' },
};
const scheduled: PodLike = {
  ...base,
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-03-01T10:00:03Z' }],
  },
};
const running: PodLike = {
  ...base,
  status: {
    phase: 'Running',
    conditions: scheduled.status?.conditions ?? [],
    containerStatuses: [
      { state: { running: { startedAt: '2026-03-01T10:00:41Z' } } },
      { state: { running: { startedAt: '2026-03-01T10:00:40Z' } } },
    ],
  },
};
const succeeded: PodLike = {
  ...base,
  status: {
    phase: 'Succeeded',
    conditions: scheduled.status?.conditions ?? [],
    containerStatuses: [
      { state: { terminated: { startedAt: '2026-03-01T10:00:41Z', finishedAt: '2026-03-01T11:30:00Z' } } },
      { state: { terminated: { startedAt: '2026-03-01T10:00:40Z', finishedAt: '2026-03-01T11:30:02Z' } } },
    ],
  },
};
const at = (iso: string) => Date.parse(iso);
const brief = (events: readonly PodEvent[]) => events.map((e) => [e.event, new Date(e.atMs).toISOString()]);
const tracker = () => createPodEventTracker({ cluster: 'prod-eu' }, () => NOW);

describe('createPodEventTracker', () => {
  it('emits each transition once, in order, at the times Kubernetes recorded', () => {
    const t = tracker();
    const events = [base, base, scheduled, running, running, succeeded, succeeded].flatMap((p) => t.observe(p));
    events.push(...t.remove(succeeded));
    expect(brief(events)).toEqual([
      ['created', '2026-03-01T10:00:00.000Z'],
      ['scheduled', '2026-03-01T10:00:03.000Z'],
      ['started', '2026-03-01T10:00:40.000Z'],
      ['finished', '2026-03-01T11:30:02.000Z'],
      ['deleted', '2026-03-01T12:00:00.000Z'],
    ]);
    expect(t.size).toBe(0);
  });

  it('fills every event with the pod description, and each one decodes as a PodEvent v1', () => {
    const [created] = tracker().observe(base);
    expect(created).toEqual({
      schemaVersion: 1,
      cluster: 'prod-eu',
      node: 'gpu-node-07',
      podUid: UID,
      namespace: 'research',
      podName: 'train-llama-0',
      event: 'created',
      atMs: at('2026-03-01T10:00:00Z'),
      gpuRequest: { kind: 'whole', count: 2 },
      labels: { team: 'nlp', tenant: 'acme' },
      owner: { kind: 'Job', name: 'train-llama' },
      gpuUuids: [],
    });
    expect(decodePodEvent(JSON.stringify(created))).toEqual({ ok: true, value: created });
  });

  it('catches up on a pod first seen when already finished (e.g. after a restart)', () => {
    expect(brief(tracker().observe(succeeded)).map(([e]) => e)).toEqual([
      'created',
      'scheduled',
      'started',
      'finished',
    ]);
  });

  it('a pod created bound to its node and started without a PodScheduled condition: scheduled = created', () => {
    const events = tracker().observe({ ...running, status: { ...running.status, conditions: [] } });
    expect(brief(events).slice(0, 2)).toEqual([
      ['created', '2026-03-01T10:00:00.000Z'],
      ['scheduled', '2026-03-01T10:00:00.000Z'],
    ]);
  });

  it('deleted: the graceful-deletion deadline when it is past, else when the deletion was seen', () => {
    const t = tracker();
    t.observe(running);
    const early = { ...running, metadata: { ...running.metadata, deletionTimestamp: '2026-03-01T11:00:30Z' } };
    expect(brief(t.remove(early))).toEqual([['deleted', '2026-03-01T11:00:30.000Z']]);
    const t2 = tracker();
    t2.observe(running);
    expect(
      brief(t2.remove({ ...running, metadata: { ...running.metadata, deletionTimestamp: '2026-03-01T12:00:30Z' } })),
    ).toEqual([['deleted', '2026-03-01T12:00:00.000Z']]);
  });

  it('resync after a re-list: no repeats for listed pods, `deleted` for pods gone meanwhile', () => {
    const t = tracker();
    t.observe(running);
    const other: PodLike = {
      ...base,
      metadata: { ...base.metadata, uid: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'other' },
    };
    t.observe(other);
    const events = t.resync([succeeded]);
    // 'other' was bound (nodeName) without a PodScheduled condition: its scheduled time is its creation.
    expect(events.map((e) => [e.podName, e.event])).toEqual([
      ['train-llama-0', 'finished'],
      ['other', 'scheduled'],
      ['other', 'deleted'],
    ]);
    expect(t.get(UID)?.phase).toBe('Succeeded');
    expect(t.get('a1b2c3d4-0000-4000-8000-000000000001')).toBeUndefined();
    expect(t.resync([succeeded])).toEqual([]);
  });

  it('ignores objects that are not stored pods (no uid)', () => {
    expect(tracker().observe({ metadata: { name: 'x', namespace: 'y' } })).toEqual([]);
  });

  it('a tracker restored from a snapshot (agent restart) repeats nothing and notices pods deleted while it was down', async () => {
    const before = tracker();
    before.observe(running);
    const other: PodLike = {
      ...base,
      metadata: { ...base.metadata, uid: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'gone-while-down' },
    };
    before.observe(other);
    const dir = mkdtempSync(join(tmpdir(), 'pod-tracker-'));
    try {
      await saveTrackedPods(join(dir, 'pods.json'), before.snapshot());
      const after = createPodEventTracker({ cluster: 'c1' }, () => NOW, await loadTrackedPods(join(dir, 'pods.json')));
      // The re-list after the restart: 'running' is unchanged, 'other' (bound, never started) is gone:
      // deleted at the restart time (and scheduled = created, as for any bound pod that got no condition).
      expect(brief(after.resync([running]))).toEqual([
        ['scheduled', '2026-03-01T10:00:00.000Z'],
        ['deleted', '2026-03-01T12:00:00.000Z'],
      ]);
      expect(after.size).toBe(1);
      expect(after.resync([running])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tracker state on disk: none is empty, a broken file is an error naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pod-tracker-'));
    try {
      expect(await loadTrackedPods(join(dir, 'absent.json'))).toEqual([]);
      writeFileSync(
        join(dir, 'bad.json'),
        JSON.stringify({ version: 1, pods: [{ info: { podUid: '' }, emitted: ['started'] }] }),
      );
      await expect(loadTrackedPods(join(dir, 'bad.json'))).rejects.toThrow(
        /bad\.json is invalid: pods\.0\.info\.podUid/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
