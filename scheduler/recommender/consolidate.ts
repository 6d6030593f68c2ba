/**
 * CONSOLIDATE: nodes whose running pods fit on the other nodes of the same GPU model and pricing tier
 * in the same cluster, so the node can be drained and removed. Greedy, least-allocated node first:
 * its pods (largest first) are placed on the other nodes as node-occupancy.ts places them (whole
 * requests on wholly free GPUs of one node, fractions best-fit); a node that received pods is kept.
 * MIG pods are not moved. Saving = the node's GPUs × price × 730 (its cost per observed hour).
 * Confidence margin: the share of the node's ledger cost that was idle over the lookback.
 */
import type { Candidate, NodeSnapshot, Recommender } from './types.ts';
import { confidenceOf, HOURS_PER_MONTH } from './estimate.ts';
import { fitRequest, needOf, take } from './node-occupancy.ts';

const allocated = (n: NodeSnapshot) => n.freeMilli.reduce((s, f) => s + (1000 - f), 0);

/** Places every pod of `node` on `others` (mutating their free milli); the receiving node names, or null. */
const moveAll = (node: NodeSnapshot, others: readonly { node: string; free: number[] }[]): string[] | null => {
  const receivers = new Set<string>();
  for (const pod of [...node.pods].sort((a, b) => b.share - a.share || (a.podUid < b.podUid ? -1 : 1))) {
    const need = needOf(pod.gpuRequest, pod.share);
    if (need === null) continue;
    if (!pod.movable) return null;
    const target = others
      .map((o) => ({ o, fit: fitRequest(o.free, need) }))
      .filter((x) => x.fit !== null)
      .sort((a, b) => a.o.free.reduce((s, f) => s + f, 0) - b.o.free.reduce((s, f) => s + f, 0))[0];
    if (target?.fit == null) return null;
    take(target.o.free, target.fit, need);
    receivers.add(target.o.node);
  }
  return [...receivers].sort();
};

export const consolidate: Recommender = {
  kind: 'consolidate',
  compute({ nodes, config }) {
    const groups = new Map<string, NodeSnapshot[]>();
    for (const n of nodes) {
      if (n.priceUsdPerGpuHour === null || n.freeMilli.length === 0) continue;
      const key = JSON.stringify([n.cluster, n.gpuModel, n.pricingTier]);
      groups.set(key, [...(groups.get(key) ?? []), n]);
    }
    const out: Candidate[] = [];
    for (const group of groups.values()) {
      const free = new Map(group.map((n) => [n.node, [...n.freeMilli]]));
      const [freed, kept] = [new Set<string>(), new Set<string>()];
      for (const node of [...group].sort((a, b) => allocated(a) - allocated(b) || (a.node < b.node ? -1 : 1))) {
        if (kept.has(node.node)) continue;
        const trial = group
          .filter((o) => o.node !== node.node && !freed.has(o.node))
          .map((o) => ({ node: o.node, free: [...free.get(o.node)!] }));
        const receivers = moveAll(node, trial);
        if (receivers === null) continue;
        for (const t of trial) free.set(t.node, t.free);
        freed.add(node.node);
        for (const r of receivers) kept.add(r);
        const gpus = node.freeMilli.length;
        const price = node.priceUsdPerGpuHour ?? 0;
        const margin = node.idleShare ?? 0;
        out.push({
          kind: 'consolidate',
          target: { cluster: node.cluster, node: node.node, namespace: null, workload: null, pod: null, tenant: null },
          current: { gpuModel: node.gpuModel, gpuRequest: { kind: 'whole', count: gpus } },
          recommended: { gpuModel: node.gpuModel, gpuRequest: { kind: 'none' } },
          evidence: {
            gpuCount: gpus,
            allocatedGpus: allocated(node) / 1000,
            podsMoved: node.pods.filter((p) => p.gpuRequest.kind !== 'none').length,
            targetNodes: receivers.join(',') || '-',
            priceUsdPerGpuHour: price,
            hoursObserved: Math.round(node.observedHours * 1000) / 1000,
            idleSharePct: Math.round(margin * 1000) / 10,
          },
          estimatedMonthlySavingUsd: gpus * price * HOURS_PER_MONTH,
          confidence: confidenceOf(
            { observedHours: node.observedHours, minutes: node.observedHours * 60, margin },
            config,
          ),
          riskNote:
            receivers.length === 0
              ? `No pod holds a GPU here now; it was idle ${Math.round(margin * 100)}% of its cost in the lookback: check nothing is scheduled to it before removing it.`
              : `Draining restarts ${node.pods.length} pod(s) on ${receivers.join(', ')}, which then run fuller; the freed node must be removed (autoscaler or by hand) for the saving to show.`,
        });
      }
    }
    return out;
  },
};
