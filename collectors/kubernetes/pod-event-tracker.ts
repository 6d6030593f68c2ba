/**
 * Turns the stream of pod objects a list/watch delivers into PodEvents, each transition once per
 * pod and in lifecycle order (created → scheduled → started → finished → deleted), however often
 * the same state is seen again (re-lists after 410 Gone, reconnects, repeated MODIFIED events).
 * State lives in memory; `snapshot()` and the `restored` argument carry it across an agent restart
 * (pod-tracker-state.ts keeps it on disk), so that the first list after the restart emits `deleted`
 * for the pods that vanished while the agent was down (at the restart time: Kubernetes keeps no
 * record of a deleted pod, so that is the earliest time the agent can vouch for). Without restored
 * state a new tracker emits the transitions of every pod it sees again; PodEvents are at-least-once
 * and `(podUid, event)` identifies a transition.
 */
import type { PodEvent, PodEventType } from '../../contracts/index.ts';
import type { GpuRequestOptions } from './gpu-request.ts';
import { toPodInfo, type PodInfo, type PodLike } from './pod-info.ts';

export interface PodEventTrackerConfig extends GpuRequestOptions {
  readonly cluster: string;
}

export interface PodEventTracker {
  /** A pod as listed or as an ADDED/MODIFIED watch event carried it. */
  observe(pod: PodLike): PodEvent[];
  /** A DELETED watch event. */
  remove(pod: PodLike): PodEvent[];
  /** The complete list after a (re-)list: observes each pod, and pods missing from it were deleted meanwhile. */
  resync(pods: readonly PodLike[]): PodEvent[];
  /** Current metadata of a live pod by UID. */
  get(podUid: string): PodInfo | undefined;
  /** Every tracked pod and the transitions already emitted for it (to persist across restarts). */
  snapshot(): TrackedPod[];
  readonly size: number;
}

/** A tracked pod as snapshot() returns it and a new tracker accepts it back. */
export interface TrackedPod {
  readonly info: PodInfo;
  readonly emitted: readonly PodEventType[];
}

interface Entry {
  info: PodInfo;
  readonly emitted: Set<PodEventType>;
}

export function createPodEventTracker(
  config: PodEventTrackerConfig,
  now: () => number,
  restored: readonly TrackedPod[] = [],
): PodEventTracker {
  const entries = new Map<string, Entry>(
    restored.map((p) => [p.info.podUid, { info: p.info, emitted: new Set(p.emitted) }]),
  );

  const event = (info: PodInfo, type: PodEventType, atMs: number): PodEvent => ({
    schemaVersion: 1,
    cluster: config.cluster,
    node: info.node,
    podUid: info.podUid,
    namespace: info.namespace,
    podName: info.podName,
    event: type,
    atMs,
    gpuRequest: info.gpuRequest,
    labels: info.labels,
    owner: info.owner,
    gpuUuids: info.gpuUuids,
  });

  /** Transitions the pod has reached, in order, with their times ("now" where Kubernetes recorded none). */
  const reached = (info: PodInfo, deleted: boolean): [PodEventType, number][] => {
    const t = info.times;
    const seenMs = now();
    const finished = info.phase === 'Succeeded' || info.phase === 'Failed';
    const started = t.startedMs !== null || info.phase === 'Running';
    const createdMs = t.createdMs ?? seenMs;
    const out: [PodEventType, number][] = [['created', createdMs]];
    if (t.scheduledMs !== null) out.push(['scheduled', t.scheduledMs]);
    else if (info.node !== null && (started || finished || deleted)) out.push(['scheduled', createdMs]);
    if (started) out.push(['started', t.startedMs ?? seenMs]);
    if (finished) out.push(['finished', t.finishedMs ?? seenMs]);
    if (deleted)
      out.push(['deleted', t.deletionRequestedMs === null ? seenMs : Math.min(t.deletionRequestedMs, seenMs)]);
    return out;
  };

  const update = (info: PodInfo, deleted: boolean): PodEvent[] => {
    const entry = entries.get(info.podUid) ?? { info, emitted: new Set<PodEventType>() };
    entry.info = info;
    entries.set(info.podUid, entry);
    const events: PodEvent[] = [];
    for (const [type, atMs] of reached(info, deleted)) {
      if (entry.emitted.has(type)) continue;
      entry.emitted.add(type);
      events.push(event(info, type, atMs));
    }
    if (deleted) entries.delete(info.podUid);
    return events;
  };

  const observe = (pod: PodLike): PodEvent[] => {
    const info = toPodInfo(pod, config);
    return info ? update(info, false) : [];
  };

  return {
    observe,
    remove(pod) {
      const info = toPodInfo(pod, config);
      return info ? update(info, true) : [];
    },
    resync(pods) {
      const listed = new Set<string>();
      const events = pods.flatMap((pod) => {
        const uid = pod.metadata?.uid;
        if (uid) listed.add(uid);
        return observe(pod);
      });
      for (const [uid, entry] of [...entries]) if (!listed.has(uid)) events.push(...update(entry.info, true));
      return events;
    },
    get: (podUid) => entries.get(podUid)?.info,
    snapshot: () => [...entries.values()].map((e) => ({ info: e.info, emitted: [...e.emitted] })),
    get size() {
      return entries.size;
    },
  };
}
