/**
 * Which part of each GPU of a node the running pods hold (pure), in milli-GPU (1000 = whole):
 * - a pod whose devices are known (pod events' device ids, else the GPUs its processes ran on) holds
 *   its share on those GPUs: 1000 on each of its whole GPUs, its milli on its one GPU, a MIG slice's
 *   share (mig-profiles.ts) on the slice's parent;
 * - the others are placed as a scheduler would, largest first: whole requests on wholly free GPUs,
 *   fractions and slices best-fit (the fullest GPU that still has room).
 * What does not fit (over-subscription, devices unknown) is reported as unplaced; no GPU is counted
 * past 1000. The same placement (`fitRequest`) decides whether consolidation can move a pod.
 */
import type { GpuRequest } from '../../contracts/pod-event.ts';

export interface OccupancyPod {
  readonly podUid: string;
  readonly gpuRequest: GpuRequest;
  /** GPUs held, as the ledger bills it (gpu-share.ts requestShare). */
  readonly share: number;
  /** Physical GPUs it is known to run on; empty when unknown. */
  readonly gpuUuids: readonly string[];
}

export interface Occupancy {
  /** Allocated milli per GPU, in the order of the GPUs given. */
  readonly allocatedMilli: readonly number[];
  readonly unplaced: readonly string[];
}

/** What a request needs from one node: `count` wholly free GPUs, or `milli` on one GPU. */
export type Need = { readonly whole: number } | { readonly milli: number };

export const needOf = (request: GpuRequest, share: number): Need | null =>
  request.kind === 'none'
    ? null
    : request.kind === 'whole'
      ? { whole: request.count }
      : { milli: Math.round(share * 1000) };

/** The GPU indices a need takes on a node with these free milli (best fit), or null when it does not fit. */
export const fitRequest = (freeMilli: readonly number[], need: Need): number[] | null => {
  if ('whole' in need) {
    const free = freeMilli.flatMap((f, i) => (f >= 1000 ? [i] : []));
    return free.length >= need.whole ? free.slice(0, need.whole) : null;
  }
  let best = -1;
  for (let i = 0; i < freeMilli.length; i++) {
    const f = freeMilli[i]!;
    if (f >= need.milli && (best < 0 || f < freeMilli[best]!)) best = i;
  }
  return best < 0 ? null : [best];
};

/** Takes a need's GPUs out of `freeMilli` (mutates). */
export const take = (freeMilli: number[], indices: readonly number[], need: Need): void => {
  for (const i of indices) freeMilli[i] = 'whole' in need ? 0 : freeMilli[i]! - need.milli;
};

const size = (p: OccupancyPod) => p.share;

export const occupy = (gpuUuids: readonly string[], pods: readonly OccupancyPod[]): Occupancy => {
  const allocated = gpuUuids.map(() => 0);
  const index = new Map(gpuUuids.map((g, i) => [g, i]));
  const unplaced: string[] = [];
  const unknown: OccupancyPod[] = [];
  for (const pod of pods) {
    const known = pod.gpuUuids.map((g) => index.get(g)).filter((i): i is number => i !== undefined);
    if (pod.gpuRequest.kind === 'none') continue;
    if (known.length === 0) {
      unknown.push(pod);
      continue;
    }
    const perGpu = pod.gpuRequest.kind === 'whole' ? 1000 : Math.round((pod.share * 1000) / known.length);
    for (const i of known) allocated[i] = Math.min(1000, allocated[i]! + perGpu);
  }
  const free = allocated.map((a) => 1000 - a);
  for (const pod of [...unknown].sort((a, b) => size(b) - size(a) || (a.podUid < b.podUid ? -1 : 1))) {
    const need = needOf(pod.gpuRequest, pod.share);
    const fit = need && fitRequest(free, need);
    if (!need || !fit) {
      unplaced.push(pod.podUid);
      continue;
    }
    take(free, fit, need);
  }
  return { allocatedMilli: free.map((f) => 1000 - f), unplaced };
};
