import { GPU_MILLI, newNodeState, placePod, type NodeSpec, type NodeState, type PodRequest } from './cluster.ts';
import type { PlacementPolicy, PlacementScore, TieBreak } from './policy.ts';
import { createRandomSource } from './random-source.ts';
import { goSeedOrder } from './go-seed-order.ts';
import { inflateWorkload } from './workload-inflation.ts';
import type { WorkloadShapes } from './workload-shapes.ts';

export type SeedOrder = 'go' | 'shuffle';
export const SEED_ORDERS: readonly SeedOrder[] = ['go', 'shuffle'];

export interface SimulationOptions {
  readonly nodes: readonly NodeSpec[];
  /** The trace's pods, before inflation. */
  readonly pods: readonly PodRequest[];
  readonly policy: PlacementPolicy;
  readonly workload: WorkloadShapes;
  readonly seed: number;
  /** Arrivals' GPU request over the capacity (1.3: the paper's 130%). */
  readonly inflationRatio?: number;
  /**
   * What the seed decides: `go` (default) the pods' order and the nodes' names exactly as the authors'
   * Go simulator draws them ({@link goSeedOrder}: trace shuffled, top-up copies appended, nodes renamed
   * with a random prefix, so name ties go to a random node priority per seed); `shuffle` the top-up
   * shuffled in with the trace and thinned, ties to the trace's node names (the figures before).
   */
  readonly order?: SeedOrder;
  /** Submit exactly these pods in this order instead (no inflation, no shuffle): the utilization track. */
  readonly arrivals?: readonly PodRequest[];
  /** Among equal best scores: `name` (default, the authors' simulator) or `random` (stock kube-scheduler). */
  readonly tieBreak?: TieBreak;
  /** A millisecond clock for decision latency (performance.now); none: latencies are 0. */
  readonly nowMs?: () => number;
}

/** Unallocated GPU share of capacity once `arrivedPct` % of the capacity has been requested. */
export interface CurvePoint {
  readonly arrivedPct: number;
  readonly unallocatedPct: number;
}

/** Where a pod went: the node's index in `nodes` and the GPUs it took. */
export interface Placement {
  readonly pod: PodRequest;
  readonly node: number;
  readonly gpuIndexes: readonly number[];
}

export interface SimulationResult {
  readonly capacityGpuMilli: number;
  readonly arrivedPods: number;
  readonly placedPods: number;
  readonly failedPods: number;
  /** The pods that did not fit anywhere, in arrival order. */
  readonly failed: readonly PodRequest[];
  readonly placements: readonly Placement[];
  /** GPU milli arrived and allocated after each arrival, in arrival order (the authors' per-pod log). */
  readonly steps: readonly { readonly arrivedMilli: number; readonly allocatedMilli: number }[];
  /** One point per whole arrived percent, 1..ratio·100. */
  readonly curve: readonly CurvePoint[];
  readonly decisionMs: readonly number[];
  /** The nodes as the run left them (the property tests check them). */
  readonly nodes: readonly NodeState[];
}

/** A node's verdicts for one pod shape, each valid while the node's version is the one stamped. */
interface ShapeMemo {
  readonly version: Int32Array;
  readonly verdicts: (PlacementScore | null)[];
}

const podKey = (pod: PodRequest) =>
  `${pod.cpuMilli}/${pod.memoryMib}/${pod.gpuCount}/${pod.gpuMilli}/${pod.gpuSpec.join('|')}`;

/** Each node's position when the nodes are sorted by name (the `name` tie-break). */
function nameRanks(nodes: readonly NodeSpec[]): Int32Array {
  const ranks = new Int32Array(nodes.length);
  const order = nodes.map((_, i) => i).sort((a, b) => (nodes[a]!.name < nodes[b]!.name ? -1 : 1));
  order.forEach((node, rank) => (ranks[node] = rank));
  return ranks;
}

/**
 * The FGD protocol (Weng et al. §6.1): arrivals inflated to `inflationRatio` of the GPU capacity and
 * shuffled (per seed), submitted one at a time; each is placed on the policy's best node or fails for
 * good; nothing departs. Equal best scores go to the node with the smallest name (the authors'
 * simulator) or, with `tieBreak: 'random'` or a {@link PlacementPolicy.randomAmongBest} policy, to
 * one picked uniformly (kube-scheduler's selectHost). A node's scores are
 * cached per pod shape until the node changes: a policy is a pure function of node and pod.
 */
export function simulate(options: SimulationOptions): SimulationResult {
  const random = createRandomSource(options.seed);
  const nodes = options.nodes.map(newNodeState);
  const capacity = nodes.reduce((sum, n) => sum + n.spec.gpuCount * GPU_MILLI, 0);
  const ratio = options.inflationRatio ?? 1.3;
  const go =
    !options.arrivals && (options.order ?? 'go') === 'go'
      ? goSeedOrder(options.pods, options.nodes, capacity, ratio, options.seed)
      : null;
  const arrivals = options.arrivals ?? go?.arrivals ?? inflateWorkload(options.pods, capacity, ratio, random);
  const now = options.nowMs ?? (() => 0);
  const byName = (options.tieBreak ?? 'name') === 'name' && !options.policy.randomAmongBest;
  const rank = go?.nodeRanks ?? nameRanks(options.nodes);
  const shapeIds = new Map<string, number>();
  const memo: ShapeMemo[] = [];
  const curve: CurvePoint[] = [];
  const decisionMs: number[] = [];
  const failed: PodRequest[] = [];
  const placements: Placement[] = [];
  const steps: { arrivedMilli: number; allocatedMilli: number }[] = [];
  let [arrived, allocated, placed] = [0, 0, 0];
  for (const pod of arrivals) {
    const started = now();
    const key = podKey(pod);
    let shapeId = shapeIds.get(key);
    if (shapeId === undefined) {
      shapeId = shapeIds.size;
      shapeIds.set(key, shapeId);
      memo.push({
        version: new Int32Array(nodes.length).fill(-1),
        verdicts: new Array<PlacementScore | null>(nodes.length).fill(null),
      });
    }
    const { version, verdicts } = memo[shapeId]!;
    let best = -Infinity;
    let chosen = -1;
    let ties = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (version[i] !== node.version) {
        verdicts[i] = options.policy.score(node, pod, options.workload);
        version[i] = node.version;
      }
      const verdict = verdicts[i];
      if (!verdict || verdict.score < best) continue;
      if (verdict.score > best) {
        best = verdict.score;
        chosen = i;
        ties = 1;
      } else if (byName ? rank[i]! < rank[chosen]! : random() * ++ties < 1) chosen = i;
    }
    const chosenScore = chosen >= 0 ? verdicts[chosen] : null;
    if (chosenScore) {
      const choices = chosenScore.gpuChoices;
      const gpuIndexes = choices.length === 1 ? choices[0]! : choices[Math.floor(random() * choices.length)]!;
      placePod(nodes[chosen]!, pod, gpuIndexes);
      placements.push({ pod, node: chosen, gpuIndexes });
      allocated += pod.gpuCount * pod.gpuMilli;
      placed++;
    } else failed.push(pod);
    decisionMs.push(now() - started);
    arrived += pod.gpuCount * pod.gpuMilli;
    steps.push({ arrivedMilli: arrived, allocatedMilli: allocated });
    while (curve.length < Math.floor((100 * arrived) / capacity + 1e-9)) {
      curve.push({ arrivedPct: curve.length + 1, unallocatedPct: (100 * (capacity - allocated)) / capacity });
    }
  }
  return {
    capacityGpuMilli: capacity,
    arrivedPods: arrivals.length,
    placedPods: placed,
    failedPods: arrivals.length - placed,
    curve,
    steps,
    decisionMs,
    nodes,
    failed,
    placements,
  };
}
