/**
 * Pure: core/v1 Node and Pod JSON (as kube-scheduler sends them in ExtenderArgs, or as the API
 * server lists them) → the scheduler model the placement policies score (../cluster.ts).
 *
 * Node: allocatable (else capacity) `cpu`, `memory`, `nvidia.com/gpu`; GPU model from the GPU
 * feature discovery label `nvidia.com/gpu.product`; GPU islands (NVLink/NUMA groups, ./topology.ts)
 * from the agent's annotation {@link GPU_ISLANDS_ANNOTATION}.
 * Pod: CPU and memory requests summed over app containers (the largest init container if more);
 * GPU by collectors/kubernetes/gpu-request.ts; allowed GPU models from a `nvidia.com/gpu.product`
 * nodeSelector or required node-affinity `In` term (kube-scheduler's own NodeAffinity filter enforces
 * them too; the policy needs them to measure fragmentation as the simulator does).
 */
import type { GpuRequest } from '../../contracts/index.ts';
import { gpuRequestOf, parseQuantity } from '../../collectors/kubernetes/gpu-request.ts';
import { GPU_MILLI, type NodeSpec, type PodRequest } from '../cluster.ts';
import { parseIslandsAnnotation, type GpuIslands } from './topology.ts';

/** GPU feature discovery's product label: the node's GPU model, and what pods select on. */
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
/** Written at bind: the node's GPU indices the extender chose for the pod, e.g. `0,1`. */
export const GPU_INDICES_ANNOTATION = 'gpu-ledger.io/gpu-indices';
/** Written by the agent: the node's GPU islands, e.g. `0,1,2,3;4,5,6,7` (./topology.ts). */
export const GPU_ISLANDS_ANNOTATION = 'gpu-ledger.io/gpu-islands';
/** Compute slices of a MIG-capable GPU (A100, H100, H200): `<g>g.<mem>gb` holds g of them. */
const MIG_SLICES = 7;

type Json = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A node as the extender keeps it: the policy's spec and the GPU islands. */
export interface KubeNode {
  readonly spec: NodeSpec;
  /** Levels of GPU islands (NUMA ∩ NVLink, then NVLink), finest first; empty when the node reported none. */
  readonly islands: GpuIslands;
}

const amount = (resources: Json, name: string): number => {
  const v = parseQuantity(str(resources[name]));
  return Number.isFinite(v) ? v : 0;
};

/** Node JSON → its spec and islands; null for a node without a name. */
export function kubeNodeOf(node: unknown): KubeNode | null {
  const meta = obj(obj(node)['metadata']);
  const name = str(meta['name']);
  if (name === '') return null;
  const status = obj(obj(node)['status']);
  const resources =
    Object.keys(obj(status['allocatable'])).length > 0 ? obj(status['allocatable']) : obj(status['capacity']);
  return {
    spec: {
      name,
      cpuMilli: Math.round(amount(resources, 'cpu') * 1000),
      memoryMib: Math.floor(amount(resources, 'memory') / 2 ** 20),
      gpuCount: Math.floor(amount(resources, 'nvidia.com/gpu')),
      gpuModel: str(obj(meta['labels'])[GPU_PRODUCT_LABEL]),
    },
    islands: parseIslandsAnnotation(str(obj(meta['annotations'])[GPU_ISLANDS_ANNOTATION])),
  };
}

/** A pod as the extender keeps it: identity and request. */
export interface KubePod {
  /** `namespace/name`: what ExtenderBindingArgs name it by. */
  readonly key: string;
  readonly uid: string;
  readonly request: PodRequest;
}

export const podKey = (namespace: string, name: string): string => `${namespace || 'default'}/${name}`;

/** Sum of app containers, or the largest regular init container if more (as kube-scheduler computes requests). */
function podResource(spec: Json, name: string, scale: number): number {
  const req = (c: unknown) => amount(obj(obj(obj(c)['resources'])['requests']), name) * scale;
  const list = (k: string) => (Array.isArray(spec[k]) ? (spec[k] as unknown[]) : []);
  const inits = list('initContainers');
  const sidecar = (c: unknown) => str(obj(c)['restartPolicy']) === 'Always';
  const running = [...list('containers'), ...inits.filter(sidecar)].reduce<number>((s, c) => s + req(c), 0);
  return Math.max(running, ...inits.filter((c) => !sidecar(c)).map(req));
}

/** A GpuRequest in the policies' units: GPU count and per-GPU milli. */
export function gpuShape(request: GpuRequest): { gpuCount: number; gpuMilli: number } {
  switch (request.kind) {
    case 'none':
      return { gpuCount: 0, gpuMilli: 0 };
    case 'whole':
      return { gpuCount: request.count, gpuMilli: GPU_MILLI };
    case 'fraction':
      return { gpuCount: 1, gpuMilli: Math.min(GPU_MILLI, request.milli) };
    case 'mig': {
      // `<g>g.<mem>gb` (or `<c>c.<g>g.<mem>gb`): g of the GPU's 7 compute slices, all on one GPU.
      const slices = Number(/(\d+)g\./.exec(request.profile)?.[1] ?? MIG_SLICES);
      return {
        gpuCount: 1,
        gpuMilli: Math.min(GPU_MILLI, Math.floor((GPU_MILLI * slices * request.count) / MIG_SLICES)),
      };
    }
  }
}

/** The GPU models the pod allows: a product nodeSelector, else a required node-affinity `In` on the product label. */
function allowedModels(spec: Json): string[] {
  const selected = str(obj(spec['nodeSelector'])[GPU_PRODUCT_LABEL]);
  if (selected !== '') return [selected];
  const required = obj(obj(obj(spec['affinity'])['nodeAffinity'])['requiredDuringSchedulingIgnoredDuringExecution']);
  const terms = Array.isArray(required['nodeSelectorTerms']) ? (required['nodeSelectorTerms'] as unknown[]) : [];
  const models = new Set<string>();
  for (const term of terms) {
    const exprs = obj(term)['matchExpressions'];
    for (const e of Array.isArray(exprs) ? exprs : []) {
      const x = obj(e);
      if (str(x['key']) === GPU_PRODUCT_LABEL && str(x['operator']) === 'In' && Array.isArray(x['values'])) {
        for (const v of x['values'] as unknown[]) if (typeof v === 'string') models.add(v);
      }
    }
  }
  return [...models];
}

/** Pod JSON → its key, UID and request. */
export function kubePodOf(pod: unknown): KubePod {
  const meta = obj(obj(pod)['metadata']);
  const spec = obj(obj(pod)['spec']);
  const name = str(meta['name']);
  const { gpuCount, gpuMilli } = gpuShape(gpuRequestOf(spec));
  return {
    key: podKey(str(meta['namespace']), name),
    uid: str(meta['uid']),
    request: {
      name,
      cpuMilli: Math.round(podResource(spec, 'cpu', 1000)),
      memoryMib: Math.ceil(podResource(spec, 'memory', 1 / 2 ** 20)),
      gpuCount,
      gpuMilli,
      gpuSpec: gpuCount > 0 ? allowedModels(spec) : [],
    },
  };
}
