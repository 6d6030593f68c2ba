/**
 * Topology-aware GPU choice (pure). A node's islands (collectors/nvidia-smi/parse-topo.ts
 * `gpuIslands`: levels of GPU groups, finest first — NUMA ∩ NVLink, then NVLink) travel as the node
 * annotation `gpu-ledger.io/gpu-islands`, written by the agent: levels separated by `|`, groups by
 * `;`, indices by `,` (`0,1;2,3;4,5;6,7|0,1,2,3,4,5,6,7` for a DGX A100).
 */
import type { GpuIslands } from '../../collectors/nvidia-smi/parse-topo.ts';

export type { GpuIslands };

export const formatIslandsAnnotation = (islands: GpuIslands): string =>
  islands.map((level) => level.map((group) => group.join(',')).join(';')).join('|');

/** The annotation back into levels; '' or anything malformed gives no islands (any GPUs are as good). */
export function parseIslandsAnnotation(value: string): GpuIslands {
  if (!/^\d+(,\d+)*(;\d+(,\d+)*)*(\|\d+(,\d+)*(;\d+(,\d+)*)*)*$/.test(value)) return [];
  return value.split('|').map((level) => level.split(';').map((group) => group.split(',').map(Number)));
}

/**
 * `count` whole GPUs out of `free` (indices of completely free GPUs) inside one island: at the
 * finest level that has a group with room, the group with the fewest free GPUs that still holds
 * them (best fit: the roomier islands stay whole for bigger pods); inside a coarser group, whole
 * finer islands first, roomiest first, so the pod spans as few of them as it can. Null when no
 * island at any level holds them (the caller keeps the policy's choice).
 */
export function pickIslandGpus(free: readonly number[], count: number, islands: GpuIslands): number[] | null {
  const freeSet = new Set(free);
  const roomIn = (group: readonly number[]) => group.filter((g) => freeSet.has(g));
  for (const [l, level] of islands.entries()) {
    let best: number[] | null = null;
    for (const group of level) {
      const room = roomIn(group);
      if (room.length >= count && (best === null || room.length < best.length)) best = room;
    }
    if (!best) continue;
    const inBest = new Set(best);
    const finer = (islands[l - 1] ?? [])
      .map((group) => roomIn(group).filter((g) => inBest.has(g)))
      .filter((room) => room.length > 0)
      .sort((a, b) => b.length - a.length || a[0]! - b[0]!);
    const ordered = [...finer.flat(), ...[...best].sort((a, b) => a - b)];
    return [...new Set(ordered)].slice(0, count).sort((a, b) => a - b);
  }
  return null;
}
