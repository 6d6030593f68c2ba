/**
 * The accuracy bench's fleet (pure, from the real openb trace files):
 *
 * - Nodes: every GPU node of openb_node_list_gpu_node.csv (1,213 nodes, 6,212 GPUs), each GPU
 *   reporting the product name nvidia-smi prints for its openb model code (G2/G3 are undisclosed
 *   Alibaba codes, reported as such; the price catalog knows them).
 * - Pods: every GPU pod of openb_pod_list_default.csv with a scheduled_time (pending ones never run),
 *   in trace order. The trace spans 149 days with few pods alive at once (and most arrivals in its
 *   last ten days), so ARRIVALS are spread evenly, in trace order, over the first 90% of the simulated
 *   hours, while each pod keeps its REAL queueing delay (scheduled − creation) and its REAL duration
 *   (deletion − creation). Whole seconds throughout (Kubernetes timestamps have second precision).
 * - Placement: first fit at the scheduled time, over the nodes in a fixed shuffled order, on per-GPU
 *   milli capacity (a k-GPU pod takes k free GPUs of one node; a sharing pod the first GPU with room).
 *   A pod that does not fit stays pending (not billed, like the real scheduler's pending pods).
 * - Identity: GPU UUIDs from node and index (the same hardware every run); pod UIDs from the pod name
 *   and the start of the run (a pod of another run is another pod).
 * - Tenancy: namespace from a hash of the pod name; namespace → tenant as in NAMESPACE_TENANTS.
 * - MIG (option `mig`): no disclosed openb model supports MIG. The price catalog prices the undisclosed
 *   G2 and G3 as an A100-40GB and an A100-80GB (its stated ASSUMPTION, from their node shapes), so
 *   every eighth G2/G3 node of the fleet (from the first) runs as that A100 with MIG on: it reports
 *   the A100's product name, at the same price, and each GPU is cut in mig-parted's `all-balanced`
 *   layout (3g + 2g + 1g + 1g, MIG_LAYOUTS). A sharing pod (one GPU, under 1000 milli) that first fit
 *   reaches on such a node asks for the smallest layout profile of at least its share
 *   (`nvidia.com/mig-<profile>: 1`) and takes a free instance of it; whole-GPU pods and pods over 3/7
 *   of a GPU pass MIG nodes by, as the device plugin's mixed strategy would make them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const NAMESPACE_TENANTS: Readonly<Record<string, string>> = {
  'llm-serving': 'acme',
  'search-ranking': 'acme',
  recsys: 'globex',
  'ads-ctr': 'globex',
  vision: 'initech',
  speech: 'initech',
  'nlp-research': 'umbrella',
  'rl-lab': 'umbrella',
  'batch-etl': 'hooli',
  fraud: 'hooli',
};
const NAMESPACES = Object.keys(NAMESPACE_TENANTS);

/** One GPU instance of a MIG layout: its profile and the GPU instance id the driver gives it. */
export interface MigSlot {
  readonly profile: string;
  readonly gpuInstanceId: number;
}

/**
 * mig-parted's `all-balanced` layout (NVIDIA mig-parted / GPU Operator default config: `1g.5gb: 2,
 * 2g.10gb: 1, 3g.20gb: 1` on an A100-40GB) on an A100 whose 8 memory slices are `gb` GB each. Instance
 * ids are the A100's placements for that layout (3g at 2, 2g at 3, 1g at 9 and 10).
 */
const allBalanced = (gb: number): readonly MigSlot[] => [
  { profile: `3g.${4 * gb}gb`, gpuInstanceId: 2 },
  { profile: `2g.${2 * gb}gb`, gpuInstanceId: 3 },
  { profile: `1g.${gb}gb`, gpuInstanceId: 9 },
  { profile: `1g.${gb}gb`, gpuInstanceId: 10 },
];
/** openb model code → the A100 the catalog prices it as, in the all-balanced layout. */
export const MIG_LAYOUTS: Readonly<Record<string, { productName: string; layout: readonly MigSlot[] }>> = {
  G2: { productName: 'NVIDIA A100-SXM4-40GB', layout: allBalanced(5) },
  G3: { productName: 'NVIDIA A100-SXM4-80GB', layout: allBalanced(10) },
};
/** Compute slices of an A100 GPU instance profile `<g>g.<mem>gb`. */
const slicesOf = (profile: string) => Number(/^(\d+)g\./.exec(profile)?.[1] ?? NaN);
/** The profile a one-GPU sharing pod of `milli` asks on a MIG node: the smallest of the layout holding its share. */
const migProfileFor = (layout: readonly MigSlot[], numGpu: number, milli: number): string | undefined =>
  numGpu !== 1 || milli >= 1000
    ? undefined
    : [...layout]
        .sort((a, b) => slicesOf(a.profile) - slicesOf(b.profile))
        .find((s) => 7 * milli <= 1000 * slicesOf(s.profile))?.profile;

/** openb model code → product name as nvidia-smi prints it, and memory per GPU. */
const PRODUCTS: Readonly<Record<string, { name: string; memoryBytes: number }>> = {
  P100: { name: 'Tesla P100-PCIE-16GB', memoryBytes: 16 * 2 ** 30 },
  T4: { name: 'Tesla T4', memoryBytes: 15 * 2 ** 30 },
  V100M16: { name: 'Tesla V100-SXM2-16GB', memoryBytes: 16 * 2 ** 30 },
  V100M32: { name: 'Tesla V100-SXM2-32GB', memoryBytes: 32 * 2 ** 30 },
  A10: { name: 'NVIDIA A10', memoryBytes: 24 * 2 ** 30 },
  G2: { name: 'G2', memoryBytes: 32 * 2 ** 30 },
  G3: { name: 'G3', memoryBytes: 80 * 2 ** 30 },
};

export interface SimNode {
  readonly name: string;
  readonly productName: string;
  readonly memoryBytes: number;
  readonly gpuUuids: readonly string[];
  /** MIG on: every GPU is cut in this layout (absent: whole GPUs). */
  readonly migLayout?: readonly MigSlot[];
  /** The node joins the fleet at joinMs / leaves it at leaveMs (its agent runs only in between); absent: there all along. */
  readonly joinMs?: number;
  readonly leaveMs?: number;
}

export interface SimPod {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly tenant: string;
  readonly node: string;
  /** Indexes of the node's GPUs it holds; `milli` of each (1000 for whole GPUs; a MIG pod: the trace's ask). */
  readonly gpuIndexes: readonly number[];
  readonly milli: number;
  readonly numGpu: number;
  /** A MIG pod asks for one instance of this profile (`nvidia.com/mig-<profile>: 1`) instead of milli/numGpu. */
  readonly migProfile?: string;
  /** …and holds the GPU instance with this id on its GPU. */
  readonly migInstance?: number;
  readonly createdMs: number;
  readonly startMs: number;
  readonly endMs: number;
  /** gentd26 series that drives its utilization. */
  readonly series: number;
}

export interface OpenbFleet {
  readonly nodes: readonly SimNode[];
  readonly pods: readonly SimPod[];
  /** GPU pods of the trace that never ran (no scheduled_time, or no room at their time). */
  readonly pending: number;
  /**
   * The wall time a replay maps onto the gentd26 trace's first moment: the window's start, so a
   * replay of these hours shows the same utilization whatever the hour it runs at.
   */
  readonly traceEpochMs: number;
}

const csv = (path: string): Record<string, string>[] => {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const cols = (header ?? '').split(',');
  return lines.map((line) => {
    const f = line.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
  });
};

/** FNV-1a: a stable small hash for names. */
export const fnv = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);
const uuidOf = (prefix: string, s: string) => {
  const [a, b] = [fnv(s), fnv(`${s}#`)];
  return `${prefix}${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-8${hex(a ^ b, 3)}-${hex(fnv(`${s}!`), 8)}${hex(b, 4)}`;
};

export interface OpenbFleetOptions {
  readonly fromMs: number;
  readonly hours: number;
  readonly maxNodes?: number;
  /** Pods are created from this many hours before fromMs, so some already run when the window opens. */
  readonly preWindowHours?: number;
  /**
   * Nodes come and go: every tenth node (from the fourth) joins a quarter into the window, every tenth
   * (from the seventh) leaves three quarters in; a pod on a leaving node ends when it leaves (drained).
   */
  readonly churn?: boolean;
  /** maxNodes are picked evenly over the node list (every model in proportion), not the first ones. */
  readonly spread?: boolean;
  /** Every eighth G2/G3 node runs MIG (see the header). */
  readonly mig?: boolean;
}

export function loadOpenbFleet(dir: string, options: OpenbFleetOptions): OpenbFleet {
  const allRows = csv(join(dir, 'openb_node_list_gpu_node.csv'));
  const n = Math.min(options.maxNodes ?? Infinity, allRows.length);
  const nodeRows = options.spread
    ? Array.from({ length: n }, (_, i) => allRows[Math.floor((i * allRows.length) / n)] as Record<string, string>)
    : allRows.slice(0, n);
  const windowMs = options.hours * 3_600_000;
  let migCapable = 0;
  const nodes: SimNode[] = nodeRows.map((r, i) => {
    const product = PRODUCTS[r['model'] ?? ''];
    if (!product) throw new Error(`openb node ${r['sn']}: unknown model '${r['model']}'`);
    const count = Number(r['gpu']);
    const mig = MIG_LAYOUTS[r['model'] ?? ''];
    const migOn = options.mig === true && mig !== undefined && migCapable++ % 8 === 0;
    return {
      name: r['sn'] ?? '',
      productName: migOn ? mig.productName : product.name,
      memoryBytes: product.memoryBytes,
      gpuUuids: Array.from({ length: count }, (_, g) => uuidOf('GPU-', `${r['sn']}/${g}`)),
      ...(migOn ? { migLayout: mig.layout } : {}),
      ...(options.churn && i % 10 === 3 ? { joinMs: options.fromMs + windowMs / 4 } : {}),
      ...(options.churn && i % 10 === 6 ? { leaveMs: options.fromMs + (windowMs * 3) / 4 } : {}),
    };
  });
  const podRows = csv(join(dir, 'openb_pod_list_default.csv')).filter((r) => Number(r['num_gpu']) > 0);
  podRows.sort((a, b) => Number(a['creation_time']) - Number(b['creation_time'])); // stable: ties keep file order
  const preS = (options.preWindowHours ?? 0) * 3600;
  const spreadS = options.hours * 3600 * 0.9 + preS;

  // Placement, in time order of starts and ends (an end before a start at the same second).
  const free = nodes.map((n) => n.gpuUuids.map(() => 1000));
  // MIG nodes: per GPU, which of the layout's instances are free.
  const freeSlots = nodes.map((n) => n.gpuUuids.map(() => (n.migLayout ?? []).map(() => true)));
  const order = nodes.map((_, i) => i).sort((a, b) => fnv(`order/${a}`) - fnv(`order/${b}`));
  type Candidate = { row: Record<string, string>; createdS: number; startS: number; endS: number };
  const candidates: Candidate[] = [];
  let pending = 0;
  for (const [rank, row] of podRows.entries()) {
    if (row['scheduled_time'] === '') {
      pending++;
      continue;
    }
    const [creation, scheduled, deletion] = ['creation_time', 'scheduled_time', 'deletion_time'].map((k) =>
      Number(row[k]),
    ) as [number, number, number];
    const createdS = Math.floor((rank / podRows.length) * spreadS) - preS;
    const [startS, endS] = [createdS + Math.max(0, scheduled - creation), createdS + (deletion - creation)];
    if (endS > startS) candidates.push({ row, createdS, startS, endS }); // (a pod deleted as it was scheduled never ran)
  }
  const events = candidates
    .flatMap((c, i) => [
      { t: c.startS, kind: 1, i },
      { t: c.endS, kind: 0, i },
    ])
    .sort((a, b) => a.t - b.t || a.kind - b.kind || a.i - b.i);
  const placed = new Map<number, SimPod>();
  for (const e of events) {
    const c = candidates[e.i] as Candidate;
    if (e.kind === 0) {
      const pod = placed.get(e.i);
      const nodeIndex = pod ? nodes.findIndex((n) => n.name === pod.node) : -1;
      const layout = nodes[nodeIndex]?.migLayout ?? [];
      if (pod?.migInstance !== undefined)
        freeSlots[nodeIndex]![pod.gpuIndexes[0]!]![layout.findIndex((s) => s.gpuInstanceId === pod.migInstance)] = true;
      else if (pod) for (const g of pod.gpuIndexes) (free[nodeIndex] as number[])[g]! += pod.milli;
      continue;
    }
    const [numGpu, milli] = [Number(c.row['num_gpu']), Number(c.row['gpu_milli'])];
    let spot: { node: number; gpus: number[]; slot?: MigSlot } | null = null;
    for (const n of order) {
      const node = nodes[n] as SimNode;
      const startMs = options.fromMs + c.startS * 1000;
      if ((node.joinMs ?? -Infinity) > startMs || (node.leaveMs ?? Infinity) <= startMs) continue;
      const layout = node.migLayout;
      if (layout) {
        const profile = migProfileFor(layout, numGpu, milli);
        const fits = (f: boolean, s: number) => f && layout[s]?.profile === profile;
        const g = profile === undefined ? -1 : (freeSlots[n] as boolean[][]).findIndex((slots) => slots.some(fits));
        if (g < 0) continue;
        const slots = freeSlots[n]?.[g] as boolean[];
        const s = slots.findIndex(fits);
        slots[s] = false;
        spot = { node: n, gpus: [g], slot: layout[s] as MigSlot };
        break;
      }
      const gpus = (free[n] as number[]).flatMap((f, g) => (f >= milli ? [g] : [])).slice(0, numGpu);
      if (gpus.length === numGpu) {
        spot = { node: n, gpus };
        break;
      }
    }
    if (!spot) {
      pending++;
      continue;
    }
    if (!spot.slot) for (const g of spot.gpus) (free[spot.node] as number[])[g]! -= milli;
    const name = c.row['name'] ?? '';
    const namespace = NAMESPACES[fnv(name) % NAMESPACES.length] as string;
    placed.set(e.i, {
      uid: uuidOf('', `pod/${name}/${options.fromMs}`),
      name,
      namespace,
      tenant: NAMESPACE_TENANTS[namespace] as string,
      node: (nodes[spot.node] as SimNode).name,
      gpuIndexes: spot.gpus,
      milli,
      numGpu,
      ...(spot.slot ? { migProfile: spot.slot.profile, migInstance: spot.slot.gpuInstanceId } : {}),
      createdMs: options.fromMs + c.createdS * 1000,
      startMs: options.fromMs + c.startS * 1000,
      // A pod on a node that leaves is drained when it goes.
      endMs: Math.min(options.fromMs + c.endS * 1000, (nodes[spot.node] as SimNode).leaveMs ?? Infinity),
      series: fnv(`series/${name}`),
    });
  }
  return {
    nodes,
    // Pods that ended before the window took room in placement only.
    pods: [...placed.values()].filter((p) => p.endMs > options.fromMs).sort((a, b) => a.startMs - b.startMs),
    pending,
    traceEpochMs: options.fromMs,
  };
}
