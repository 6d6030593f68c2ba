/**
 * One node's GPU time over a window, split exactly between the pods that held it and idle.
 *
 * The node's active span is cut at every pod start/end and every price change; within each piece
 * the set of pods and the price are constant, so the sums are exact (no sampling).
 *
 * OVER-SUBSCRIPTION (shares summing past capacity) is scaled down proportionally, so no GPU is ever
 * billed more than its own cost:
 *  1. pods with known devices (`GPU-…` UUIDs) put share/devices on each of their devices; a device
 *     whose load exceeds 1 scales the pods on it by 1/load;
 *  2. pods without device information share what the pinned pods leave of the node's capacity;
 *     if their shares exceed it, all of them are scaled by capacity/demand.
 * A pod therefore pays for at most its request, and idle = capacity − what the pods hold (≥ 0).
 */
import type { PriceSegment } from './price-lookup.ts';

export interface NodePod {
  readonly podUid: string;
  readonly startMs: number;
  readonly endMs: number;
  /** GPUs requested (whole count, fraction, or MIG share). */
  readonly share: number;
  /** `GPU-…` devices the pod holds, when known; empty = not pinned. */
  readonly devices: readonly string[];
}

export interface PodCharge {
  allocatedGpuSeconds: number;
  costUsd: number;
}

export interface NodeAllocation {
  readonly perPod: ReadonlyMap<string, PodCharge>;
  readonly idleGpuSeconds: number;
  readonly idleCostUsd: number;
  /** gpuCount × active seconds, and its cost: what the node costs whoever uses it. */
  readonly capacityGpuSeconds: number;
  readonly capacityCostUsd: number;
}

/** Effective GPUs each active pod holds in one piece of time (after over-subscription scaling). */
const effectiveShares = (active: readonly NodePod[], gpuCount: number): Map<NodePod, number> => {
  const eff = new Map<NodePod, number>();
  const load = new Map<string, number>();
  const pinned = active.filter((p) => p.devices.length > 0);
  for (const p of pinned) for (const d of p.devices) load.set(d, (load.get(d) ?? 0) + p.share / p.devices.length);
  let pinnedUsed = 0;
  for (const l of load.values()) pinnedUsed += Math.min(1, l);
  const pinnedScale = pinnedUsed > gpuCount ? gpuCount / pinnedUsed : 1;
  for (const p of pinned) {
    let held = 0;
    for (const d of p.devices) {
      const l = load.get(d) ?? 0;
      held += (p.share / p.devices.length) * (l > 1 ? 1 / l : 1);
    }
    eff.set(p, held * pinnedScale);
  }
  const rest = Math.max(0, gpuCount - Math.min(pinnedUsed, gpuCount));
  const unpinned = active.filter((p) => p.devices.length === 0);
  const demand = unpinned.reduce((s, p) => s + p.share, 0);
  const scale = demand > rest ? rest / demand : 1;
  for (const p of unpinned) eff.set(p, p.share * scale);
  return eff;
};

/**
 * @param prices the price segments covering exactly the node's active span (see PriceLookup.segments)
 */
export const allocateNode = (
  gpuCount: number,
  prices: readonly PriceSegment[],
  pods: readonly NodePod[],
): NodeAllocation => {
  const perPod = new Map<string, PodCharge>();
  let idleGpuSeconds = 0;
  let idleCostUsd = 0;
  let capacityGpuSeconds = 0;
  let capacityCostUsd = 0;
  for (const segment of prices) {
    const inSegment = pods.filter((p) => p.share > 0 && p.startMs < segment.toMs && p.endMs > segment.fromMs);
    const cuts = new Set<number>([segment.fromMs, segment.toMs]);
    for (const p of inSegment) {
      if (p.startMs > segment.fromMs) cuts.add(p.startMs);
      if (p.endMs < segment.toMs) cuts.add(p.endMs);
    }
    const bounds = [...cuts].sort((a, b) => a - b);
    const usdPerGpuSecond = segment.price.usdPerGpuHour / 3600;
    for (let i = 0; i + 1 < bounds.length; i++) {
      const from = bounds[i] as number;
      const to = bounds[i + 1] as number;
      const seconds = (to - from) / 1000;
      const active = inSegment.filter((p) => p.startMs <= from && p.endMs >= to);
      let held = 0;
      for (const [pod, gpus] of effectiveShares(active, gpuCount)) {
        held += gpus;
        const charge = perPod.get(pod.podUid) ?? { allocatedGpuSeconds: 0, costUsd: 0 };
        charge.allocatedGpuSeconds += gpus * seconds;
        charge.costUsd += gpus * seconds * usdPerGpuSecond;
        perPod.set(pod.podUid, charge);
      }
      const idle = Math.max(0, gpuCount - held);
      idleGpuSeconds += idle * seconds;
      idleCostUsd += idle * seconds * usdPerGpuSecond;
      capacityGpuSeconds += gpuCount * seconds;
      capacityCostUsd += gpuCount * seconds * usdPerGpuSecond;
    }
  }
  return { perPod, idleGpuSeconds, idleCostUsd, capacityGpuSeconds, capacityCostUsd };
};
