/**
 * The scheduler extender's logic (no I/O, no clock of its own): filter, prioritize and bind over the
 * extender's view of the GPU nodes, scoring with the very `PlacementPolicy` the simulator uses
 * (../policy.ts), so one decision here is the decision `gpu-ledger simulate` would take on the same
 * state. The HTTP server (cli/extender-server.ts) parses bodies, calls these, and does the API calls.
 *
 * State: each node's spec and islands (from the ExtenderArgs' Node objects or the API server's node
 * list), the pods placed on it with their GPU indices (recorded at bind, or listed from the API
 * server with the bind annotation), and the latest node hint (critical anomalies keep pods off).
 *
 * Scores: kube-scheduler wants integers 0..10, and picks at random among the nodes with the top
 * total (selectHost). So the nodes the policy scores best get 10 — exactly the simulator's set of
 * tied best nodes — and the others 0..9 linearly between the worst and the best policy score: the
 * extender's choice is the 10s, whatever the scale of the policy's scores.
 */
import type { NodeHint } from '../../contracts/node-hint.ts';
import { GPU_MILLI, gpuAffinityTag, newNodeState, type NodeState, type PodRequest } from '../cluster.ts';
import type { PlacementPolicy, PlacementScore } from '../policy.ts';
import type { WorkloadShapes } from '../workload-shapes.ts';
import type { KubeNode, KubePod } from './kube-objects.ts';
import { MAX_EXTENDER_PRIORITY } from './protocol.ts';
import { pickIslandGpus } from './topology.ts';

export interface ExtenderOptions {
  readonly policy: PlacementPolicy;
  /** The pod shapes the policy measures fragmentation against (the simulator's `workload`). */
  readonly workload: WorkloadShapes;
  /** Pods remembered between prioritize and bind (bind names the pod only); oldest forgotten first. */
  readonly maxPendingPods?: number;
}

/** A placed pod: where, on which GPUs, and when it was recorded. */
export interface PodPlacement {
  readonly node: string;
  readonly request: PodRequest;
  readonly gpuIndexes: readonly number[];
  readonly atMs: number;
}

/** What bind must do on the API server, and then commit here. */
export interface BindPlan {
  readonly podKey: string;
  readonly node: string;
  readonly request: PodRequest;
  readonly gpuIndexes: readonly number[];
}

interface NodeEntry {
  node: KubeNode;
  state: NodeState;
  readonly pods: Map<string, PodPlacement>;
  /** Verdicts per pod shape, valid while `state.version` equals `memoVersion`. */
  readonly memo: Map<string, PlacementScore | null>;
  memoVersion: number;
  /** Critical anomalies from the node's hint, dropped when the hint goes stale. */
  blockedUntilMs: number;
  blockedBy: string;
}

const shapeKey = (pod: PodRequest) =>
  `${pod.cpuMilli}/${pod.memoryMib}/${pod.gpuCount}/${pod.gpuMilli}/${pod.gpuSpec.join('|')}`;

const sameSpec = (a: KubeNode, b: KubeNode) => JSON.stringify(a) === JSON.stringify(b);

/** Takes the pod's resources off the node (no feasibility check: a listed pod is there, fitting or not). */
function take(state: NodeState, pod: PodRequest, gpuIndexes: readonly number[], sign: 1 | -1): void {
  state.cpuLeftMilli -= sign * pod.cpuMilli;
  state.memoryLeftMib -= sign * pod.memoryMib;
  for (const g of gpuIndexes) if (g < state.gpuFreeMilli.length) state.gpuFreeMilli[g]! -= sign * pod.gpuMilli;
  if (pod.gpuCount > 0) {
    const tag = gpuAffinityTag(pod);
    const n = (state.hostedGpuKinds.get(tag) ?? 0) + sign;
    if (n > 0) state.hostedGpuKinds.set(tag, n);
    else state.hostedGpuKinds.delete(tag);
  }
  state.version++;
}

export type PlacementExtender = ReturnType<typeof createPlacementExtender>;

export function createPlacementExtender(options: ExtenderOptions) {
  const { policy, workload } = options;
  const maxPending = options.maxPendingPods ?? 10_000;
  const nodes = new Map<string, NodeEntry>();
  const placements = new Map<string, PodPlacement>();
  const pending = new Map<string, KubePod>();

  /** The policy's verdict, memoised per node and pod shape (`key`: shapeKey(pod), computed once per call). */
  const verdict = (entry: NodeEntry, pod: PodRequest, key = shapeKey(pod)): PlacementScore | null => {
    if (entry.memoVersion !== entry.state.version) {
      entry.memo.clear();
      entry.memoVersion = entry.state.version;
    }
    let v = entry.memo.get(key);
    if (v === undefined) {
      v = policy.score(entry.state, pod, workload);
      entry.memo.set(key, v);
    }
    return v;
  };

  const remember = (pod: KubePod) => {
    pending.delete(pod.key);
    pending.set(pod.key, pod);
    if (pending.size > maxPending) pending.delete(pending.keys().next().value!);
  };

  const release = (podKey: string) => {
    const placed = placements.get(podKey);
    if (!placed) return;
    placements.delete(podKey);
    const entry = nodes.get(placed.node);
    if (entry?.pods.delete(podKey)) take(entry.state, placed.request, placed.gpuIndexes, -1);
  };

  const assign = (podKey: string, placement: PodPlacement) => {
    release(podKey);
    const entry = nodes.get(placement.node);
    placements.set(podKey, placement);
    if (!entry) return; // counted once the node appears
    entry.pods.set(podKey, placement);
    take(entry.state, placement.request, placement.gpuIndexes, 1);
  };

  /** Why the node cannot take the pod now, or null when it can. */
  const unfit = (name: string, pod: PodRequest, key: string, nowMs: number): string | null => {
    const entry = nodes.get(name);
    if (!entry) return 'gpu-ledger: node not known to the extender yet';
    if (entry.blockedUntilMs > nowMs) return `gpu-ledger: critical anomaly on the node (${entry.blockedBy})`;
    if (verdict(entry, pod, key) === null) {
      return pod.gpuCount > 0
        ? `gpu-ledger: no room for ${pod.gpuCount} GPU x ${pod.gpuMilli} milli with its CPU and memory`
        : 'gpu-ledger: not enough CPU or memory';
    }
    return null;
  };

  return {
    /** Adds or replaces a node's spec and islands; its recorded pods are taken off the new spec again. */
    upsertNode(node: KubeNode): void {
      const entry = nodes.get(node.spec.name);
      if (entry && sameSpec(entry.node, node)) return;
      const state = newNodeState(node.spec);
      const pods = entry?.pods ?? new Map<string, PodPlacement>();
      if (!entry) for (const [key, p] of placements) if (p.node === node.spec.name) pods.set(key, p);
      for (const p of pods.values()) take(state, p.request, p.gpuIndexes, 1);
      nodes.set(node.spec.name, {
        node,
        state,
        pods,
        memo: new Map(),
        memoVersion: state.version,
        blockedUntilMs: entry?.blockedUntilMs ?? 0,
        blockedBy: entry?.blockedBy ?? '',
      });
    },

    /** A node hint (optimize.node-hints.v1): its critical anomalies keep new pods off the node until the hint is stale. */
    applyHint(hint: NodeHint): void {
      const entry = nodes.get(hint.node);
      if (!entry) return;
      const critical = hint.activeAnomalies.filter((a) => a.severity === 'critical');
      entry.blockedUntilMs = critical.length > 0 ? hint.computedAtMs + hint.staleAfterMs : 0;
      entry.blockedBy = critical.map((a) => `${a.ruleId}: ${a.summary}`).join('; ');
    },

    /** Records a pod already on a node (listed from the API server): its GPUs are taken. */
    assign,
    /** Forgets a pod that is gone: its resources are free again. */
    release,
    placement: (podKey: string): PodPlacement | undefined => placements.get(podKey),
    placements: (): ReadonlyMap<string, PodPlacement> => placements,
    nodeState: (name: string): NodeState | undefined => nodes.get(name)?.state,
    /** A pod seen in filter/prioritize, until bind (bind names the pod only). */
    pendingPod: (podKey: string): KubePod | undefined => pending.get(podKey),

    /** The candidate nodes the pod fits (and, for the others, why not). */
    filter(pod: KubePod, nodeNames: readonly string[], nowMs: number) {
      remember(pod);
      const passing = new Set<string>();
      const failed = new Map<string, string>();
      const key = shapeKey(pod.request);
      for (const name of nodeNames) {
        const why = unfit(name, pod.request, key, nowMs);
        if (why === null) passing.add(name);
        else failed.set(name, why);
      }
      return { passing, failed };
    },

    /** 0..10 per candidate node: 10 for the policy's best (ties included), 0 for nodes it cannot take. */
    prioritize(pod: KubePod, nodeNames: readonly string[], nowMs: number): Map<string, number> {
      remember(pod);
      const key = shapeKey(pod.request);
      const raw: (number | null)[] = [];
      let best = -Infinity;
      let worst = Infinity;
      for (const name of nodeNames) {
        const entry = nodes.get(name);
        const v = entry && entry.blockedUntilMs <= nowMs ? verdict(entry, pod.request, key) : null;
        raw.push(v ? v.score : null);
        if (v) {
          if (v.score > best) best = v.score;
          if (v.score < worst) worst = v.score;
        }
      }
      const scores = new Map<string, number>();
      for (const [i, name] of nodeNames.entries()) {
        const s = raw[i] ?? null;
        if (s === null) scores.set(name, 0);
        else if (s === best) scores.set(name, MAX_EXTENDER_PRIORITY);
        else scores.set(name, Math.floor(((MAX_EXTENDER_PRIORITY - 1) * (s - worst)) / (best - worst)));
      }
      return scores;
    },

    /**
     * The GPUs the pod gets on the node kube-scheduler chose: the policy's choice, or, for a
     * multi-GPU pod on a node with islands, whole free GPUs of one island (same fragmentation: whole
     * free GPUs are interchangeable to the policy).
     */
    planBind(pod: KubePod, node: string): { ok: true; plan: BindPlan } | { ok: false; error: string } {
      const entry = nodes.get(node);
      if (!entry) return { ok: false, error: `gpu-ledger: node ${node} not known to the extender` };
      const v = verdict(entry, pod.request);
      if (!v) return { ok: false, error: `gpu-ledger: ${pod.key} no longer fits node ${node}` };
      let gpuIndexes = v.gpuChoices[0] ?? [];
      if (pod.request.gpuCount > 1 && pod.request.gpuMilli >= GPU_MILLI && entry.node.islands.length > 0) {
        const free = entry.state.gpuFreeMilli.flatMap((f, i) => (f >= GPU_MILLI ? [i] : []));
        gpuIndexes = pickIslandGpus(free, pod.request.gpuCount, entry.node.islands) ?? gpuIndexes;
      }
      return { ok: true, plan: { podKey: pod.key, node, request: pod.request, gpuIndexes } };
    },

    /** Records a bind the API server accepted. */
    commitBind(plan: BindPlan, nowMs: number): void {
      assign(plan.podKey, { node: plan.node, request: plan.request, gpuIndexes: plan.gpuIndexes, atMs: nowMs });
      pending.delete(plan.podKey);
    },

    /** Drops recorded pods the API server no longer lists (and that were recorded before the list began). */
    reconcile(listed: ReadonlySet<string>, listStartedMs: number): void {
      for (const [key, p] of placements) if (!listed.has(key) && p.atMs < listStartedMs) release(key);
    },
  };
}
