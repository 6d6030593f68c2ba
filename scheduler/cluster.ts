/**
 * The cluster model every placement policy scores against (pure: no I/O, no clock).
 *
 * Units: CPU in milli-cores, memory in MiB, GPU in milli-GPU (a GPU is {@link GPU_MILLI}). A pod asks
 * for `gpuCount` GPUs of `gpuMilli` each: sharing (several pods on one GPU) only for a single-GPU pod
 * below a whole GPU; a whole-GPU pod needs `gpuCount` completely free GPUs of one node.
 */
export const GPU_MILLI = 1000;

/** A node as the trace or the cluster declares it. */
export interface NodeSpec {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMib: number;
  readonly gpuCount: number;
  /** GPU model code (openb: P100, T4, V100M16, V100M32, A10, G2, G3). */
  readonly gpuModel: string;
}

/** What a pod asks for. */
export interface PodRequest {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMib: number;
  readonly gpuCount: number;
  /** Per GPU: below {@link GPU_MILLI} only when `gpuCount` is 1 (a sharing pod). */
  readonly gpuMilli: number;
  /** Allowed GPU models; empty means any. */
  readonly gpuSpec: readonly string[];
}

/**
 * A node's free resources now, read by the policies. `hostedGpuKinds` counts its GPU pods by
 * {@link gpuAffinityTag} (what GPU clustering groups by).
 */
export interface NodeView {
  readonly spec: NodeSpec;
  readonly cpuLeftMilli: number;
  readonly memoryLeftMib: number;
  readonly gpuFreeMilli: readonly number[];
  readonly hostedGpuKinds: ReadonlyMap<string, number>;
}

/** The simulator's mutable node: a {@link NodeView} plus a version bumped on every change. */
export interface NodeState extends NodeView {
  cpuLeftMilli: number;
  memoryLeftMib: number;
  readonly gpuFreeMilli: number[];
  readonly hostedGpuKinds: Map<string, number>;
  version: number;
}

export const isSharingPod = (pod: PodRequest): boolean => pod.gpuCount === 1 && pod.gpuMilli < GPU_MILLI;

/**
 * A GPU pod's kind as the FGD authors' simulator tags it (open-gpu-share `GetGpuAffinityFromPodAnnotation`):
 * `share-gpu` for every sharing pod whatever its milli, `<count>-gpu` for a whole-GPU pod.
 */
export const gpuAffinityTag = (pod: PodRequest): string => (isSharingPod(pod) ? 'share-gpu' : `${pod.gpuCount}-gpu`);

export const newNodeState = (spec: NodeSpec): NodeState => ({
  spec,
  cpuLeftMilli: spec.cpuMilli,
  memoryLeftMib: spec.memoryMib,
  gpuFreeMilli: Array.from({ length: spec.gpuCount }, () => GPU_MILLI),
  hostedGpuKinds: new Map(),
  version: 0,
});

/** The node's model is one the pod allows. */
export const modelAllowed = (node: NodeView, pod: PodRequest): boolean =>
  pod.gpuCount === 0 || pod.gpuSpec.length === 0 || pod.gpuSpec.includes(node.spec.gpuModel);

/** GPUs of the node with at least `milli` free. */
export function gpusWithRoom(gpuFreeMilli: readonly number[], milli: number): number {
  let n = 0;
  for (const free of gpuFreeMilli) if (free >= milli) n++;
  return n;
}

/** CPU, memory, GPU model, GPU count and per-GPU milli feasibility of the pod on the node as it is. */
export function fitsNode(node: NodeView, pod: PodRequest): boolean {
  if (pod.cpuMilli > node.cpuLeftMilli || pod.memoryMib > node.memoryLeftMib) return false;
  if (pod.gpuCount === 0) return true;
  if (!modelAllowed(node, pod)) return false;
  return gpusWithRoom(node.gpuFreeMilli, pod.gpuMilli) >= pod.gpuCount;
}

/** Sum of the node's free GPU milli. */
export function freeGpuMilli(node: NodeView): number {
  let sum = 0;
  for (const free of node.gpuFreeMilli) sum += free;
  return sum;
}

/** The first `gpuCount` completely free GPUs (whole-GPU pods), or `[]` for a CPU-only pod. */
export function firstFreeGpus(node: NodeView, pod: PodRequest): number[] {
  const picked: number[] = [];
  for (let i = 0; i < node.gpuFreeMilli.length && picked.length < pod.gpuCount; i++) {
    if ((node.gpuFreeMilli[i] ?? 0) >= pod.gpuMilli) picked.push(i);
  }
  return picked;
}

/** The GPU with the least free milli that still fits the sharing pod (lowest index on ties); -1 if none. */
export function bestFitGpu(node: NodeView, milli: number): number {
  let best = -1;
  for (let i = 0; i < node.gpuFreeMilli.length; i++) {
    const free = node.gpuFreeMilli[i] ?? 0;
    if (free >= milli && (best < 0 || free < (node.gpuFreeMilli[best] ?? 0))) best = i;
  }
  return best;
}

/**
 * The GPUs a pod takes on a node when nothing prefers others: the best-fit GPU for a sharing pod
 * (open-gpu-share's choice), the first completely free GPUs otherwise.
 */
export const defaultGpus = (node: NodeView, pod: PodRequest): number[] =>
  isSharingPod(pod) ? [bestFitGpu(node, pod.gpuMilli)] : firstFreeGpus(node, pod);

/**
 * Places the pod on the given GPUs of the node. Throws rather than overcommit: a policy that picks a
 * GPU without room is a bug, never a placement.
 */
export function placePod(node: NodeState, pod: PodRequest, gpuIndexes: readonly number[]): void {
  if (pod.cpuMilli > node.cpuLeftMilli || pod.memoryMib > node.memoryLeftMib) {
    throw new Error(`overcommit: ${pod.name} on ${node.spec.name} (cpu or memory)`);
  }
  if (gpuIndexes.length !== pod.gpuCount || new Set(gpuIndexes).size !== gpuIndexes.length) {
    throw new Error(`placement of ${pod.name} names ${gpuIndexes.length} GPUs for a ${pod.gpuCount}-GPU pod`);
  }
  for (const g of gpuIndexes) {
    if (!((node.gpuFreeMilli[g] ?? -1) >= pod.gpuMilli)) {
      throw new Error(`overcommit: ${pod.name} on ${node.spec.name} GPU ${g}`);
    }
  }
  if (pod.gpuCount > 0 && !modelAllowed(node, pod)) throw new Error(`${pod.name} does not allow ${node.spec.gpuModel}`);
  node.cpuLeftMilli -= pod.cpuMilli;
  node.memoryLeftMib -= pod.memoryMib;
  for (const g of gpuIndexes) node.gpuFreeMilli[g]! -= pod.gpuMilli;
  if (pod.gpuCount > 0) {
    const tag = gpuAffinityTag(pod);
    node.hostedGpuKinds.set(tag, (node.hostedGpuKinds.get(tag) ?? 0) + 1);
  }
  node.version++;
}
