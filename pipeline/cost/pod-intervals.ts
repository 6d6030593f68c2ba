/**
 * Pod lifecycle events → allocation intervals (exact event times, not sampling).
 *
 * Per pod (podUid): start = `started` (else `scheduled`: bound to a node, its GPUs reserved even if
 * its containers never ran); end = the earlier of `finished` and `deleted` (still running: open).
 * The interval is clipped to the window [windowStartMs, windowEndMs). Replayed events collapse:
 * `(podUid, event)` happens once, so the earliest time of each transition is used. The pod's
 * description (node, labels, owner, request, devices) comes from its latest event that names a node.
 * Pods never bound to a node, or with no overlap with the window, yield no interval.
 */
import type { GpuRequest, PodEvent, PodOwner } from '../../contracts/pod-event.ts';

export interface PodInterval {
  readonly podUid: string;
  readonly namespace: string;
  readonly pod: string;
  readonly node: string;
  /** Clipped to the window. */
  readonly startMs: number;
  /** Clipped to the window; > startMs. */
  readonly endMs: number;
  readonly gpuRequest: GpuRequest;
  readonly labels: Readonly<Record<string, string>>;
  readonly owner: PodOwner | null;
  /** Assigned devices (`GPU-…`/`MIG-…`) when known; empty otherwise. */
  readonly gpuUuids: readonly string[];
}

export interface TimeWindow {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
}

export const toPodIntervals = (events: readonly PodEvent[], window: TimeWindow): PodInterval[] => {
  const byPod = new Map<string, PodEvent[]>();
  for (const e of events) {
    const list = byPod.get(e.podUid);
    if (list) list.push(e);
    else byPod.set(e.podUid, [e]);
  }
  const out: PodInterval[] = [];
  for (const [podUid, list] of byPod) {
    const firstAt = (type: PodEvent['event']): number | null =>
      list.reduce<number | null>((min, e) => (e.event === type && (min === null || e.atMs < min) ? e.atMs : min), null);
    const start = firstAt('started') ?? firstAt('scheduled');
    if (start === null) continue;
    const ends = [firstAt('finished'), firstAt('deleted')].filter((t): t is number => t !== null);
    const end = ends.length > 0 ? Math.min(...ends) : Infinity;
    const startMs = Math.max(start, window.windowStartMs);
    const endMs = Math.min(end, window.windowEndMs);
    if (!(endMs > startMs)) continue;
    const described = list
      .filter((e) => e.node !== null)
      .reduce<PodEvent | null>((latest, e) => (latest === null || e.atMs >= latest.atMs ? e : latest), null);
    if (described === null || described.node === null) continue;
    out.push({
      podUid,
      namespace: described.namespace,
      pod: described.podName,
      node: described.node,
      startMs,
      endMs,
      gpuRequest: described.gpuRequest,
      labels: described.labels,
      owner: described.owner,
      gpuUuids: described.gpuUuids,
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.podUid.localeCompare(b.podUid));
};
