/**
 * Pure: a pod spec's container resources → its contracts `GpuRequest`.
 *
 * Which amount counts: for extended resources Kubernetes allows no overcommit, so a container's
 * `limits` are authoritative and `requests` must equal them (a missing request defaults to the
 * limit); `requests` are read only when a container has no limit for that resource.
 * Pod total per resource, as the scheduler computes it: the sum over app containers and sidecars
 * (init containers with `restartPolicy: Always`), or the largest single regular init container if
 * that is more.
 *
 * Classification, first match wins:
 * 1. HAMi vGPU (any `nvidia.com/gpucores`, `nvidia.com/gpumem` or `nvidia.com/gpumem-percentage`):
 *    each container holds `nvidia.com/gpu` vGPUs (default 1), each a share of one physical GPU:
 *    `gpucores` percent of its compute → share = cores × 10 milli per vGPU; without `gpucores` but
 *    with `gpumem-percentage` → that percent; with neither (HAMi sets no core cap, the pod may use
 *    the whole GPU) → 1000 milli per vGPU. `gpumem` (MiB) × vGPUs → `memoryBytes`.
 * 2. `nvidia.com/gpu` (device plugin, whole devices) → whole.
 * 3. `nvidia.com/mig-<profile>` (mixed MIG strategy) → mig; a pod asking for several profiles is
 *    reported by the first profile in name order (the contract has one profile per request);
 *    names that are not MIG profiles (`1g.10gb`, `1c.2g.20gb`, …) are ignored.
 * 4. `nvidia.com/gpu.shared` (time-slicing/MPS with `renameByDefault: true`): each replica is
 *    1/R of a GPU, R = the device plugin's `replicas` (GFD publishes it as the node label
 *    `nvidia.com/gpu.replicas`), passed as `sharedGpuReplicas`; share = floor(1000 × k / R) milli.
 *    Without R the replica count is unknown and each replica is charged as a whole GPU.
 * A share of 1000 milli or more is expressed as `whole`, rounded UP (the contract's `fraction` is
 * a share of ONE GPU; e.g. 2 HAMi vGPUs at 60 % become whole 2 — a known over-statement).
 */
import { migProfileSchema, type GpuRequest } from '../../contracts/index.ts';

export const GpuResource = {
  whole: 'nvidia.com/gpu',
  shared: 'nvidia.com/gpu.shared',
  migPrefix: 'nvidia.com/mig-',
  hamiCores: 'nvidia.com/gpucores',
  hamiMemoryMiB: 'nvidia.com/gpumem',
  hamiMemoryPct: 'nvidia.com/gpumem-percentage',
} as const;

type Quantities = Readonly<Record<string, string>>;
/** The parts of a V1Container this reads (the typed client object and raw watch JSON both fit). */
export interface ContainerResourcesLike {
  readonly resources?: { readonly limits?: Quantities; readonly requests?: Quantities } | undefined;
  readonly restartPolicy?: string | undefined;
}
export interface PodSpecResourcesLike {
  readonly containers?: readonly ContainerResourcesLike[] | undefined;
  readonly initContainers?: readonly ContainerResourcesLike[] | undefined;
}
export interface GpuRequestOptions {
  /** Time-slicing replicas per physical GPU on this node, for `nvidia.com/gpu.shared`. */
  readonly sharedGpuReplicas?: number | null;
}

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  m: 1e-3,
};
/** A Kubernetes quantity (`2`, `3000`, `1k`, `500m`) as a number; NaN when it is not one. */
export function parseQuantity(value: string): number {
  const m = /^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti|m)?\s*$/.exec(value);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? Number.NaN);
}

/** A container's NVIDIA amounts: limit, else request; unparsable or non-positive amounts are dropped. */
function amountsOf(container: ContainerResourcesLike): Map<string, number> {
  const { limits = {}, requests = {} } = container.resources ?? {};
  const out = new Map<string, number>();
  for (const name of new Set([...Object.keys(limits), ...Object.keys(requests)])) {
    if (!name.startsWith('nvidia.com/')) continue;
    const amount = parseQuantity(limits[name] ?? requests[name] ?? '');
    if (amount > 0) out.set(name, amount);
  }
  return out;
}

/** HAMi share of one container in milli-GPUs, and its GPU memory cap. */
function hamiShare(a: Map<string, number>): { milli: number; memoryBytes: number | null } {
  const vgpus = a.get(GpuResource.whole) ?? 1;
  const pct = a.get(GpuResource.hamiCores) ?? a.get(GpuResource.hamiMemoryPct) ?? 100;
  const mib = a.get(GpuResource.hamiMemoryMiB);
  return {
    milli: Math.round(vgpus * Math.min(pct, 100) * 10),
    memoryBytes: mib === undefined ? null : Math.round(vgpus * mib * 2 ** 20),
  };
}

const isHami = (a: Map<string, number>): boolean =>
  a.has(GpuResource.hamiCores) || a.has(GpuResource.hamiMemoryMiB) || a.has(GpuResource.hamiMemoryPct);

function fromMilli(milli: number, memoryBytes: number | null = null): GpuRequest {
  if (milli >= 1000) return { kind: 'whole', count: Math.ceil(milli / 1000) };
  return memoryBytes === null
    ? { kind: 'fraction', milli: Math.max(1, milli) }
    : { kind: 'fraction', milli: Math.max(1, milli), memoryBytes };
}

/** Pod-level totals per resource name (see the module comment for the init-container rule). */
function podTotals(spec: PodSpecResourcesLike): { totals: Map<string, number>; containers: Map<string, number>[] } {
  const inits = spec.initContainers ?? [];
  const running = [...(spec.containers ?? []), ...inits.filter((c) => c.restartPolicy === 'Always')].map(amountsOf);
  const totals = new Map<string, number>();
  for (const a of running) for (const [name, n] of a) totals.set(name, (totals.get(name) ?? 0) + n);
  for (const c of inits.filter((i) => i.restartPolicy !== 'Always')) {
    for (const [name, n] of amountsOf(c)) totals.set(name, Math.max(totals.get(name) ?? 0, n));
  }
  return { totals, containers: running };
}

/** The pod's GPU request (see the module comment for the rules). */
export function gpuRequestOf(spec: PodSpecResourcesLike, options: GpuRequestOptions = {}): GpuRequest {
  const { totals, containers } = podTotals(spec);
  const hami = containers.filter(isHami);
  if (hami.length > 0) {
    const shares = hami.map(hamiShare);
    const memory = shares.every((s) => s.memoryBytes !== null)
      ? shares.reduce((sum, s) => sum + (s.memoryBytes ?? 0), 0)
      : null;
    return fromMilli(
      shares.reduce((sum, s) => sum + s.milli, 0),
      memory,
    );
  }
  const whole = totals.get(GpuResource.whole);
  if (whole !== undefined) return { kind: 'whole', count: Math.ceil(whole) };
  const migProfile = [...totals.keys()]
    .filter((k) => k.startsWith(GpuResource.migPrefix))
    .map((k) => k.slice(GpuResource.migPrefix.length))
    .filter((p) => migProfileSchema.safeParse(p).success)
    .sort()[0];
  if (migProfile !== undefined)
    return { kind: 'mig', profile: migProfile, count: Math.ceil(totals.get(GpuResource.migPrefix + migProfile) ?? 1) };
  const shared = totals.get(GpuResource.shared);
  if (shared !== undefined) {
    const replicas = options.sharedGpuReplicas;
    return replicas && replicas > 0
      ? fromMilli(Math.floor((1000 * shared) / replicas))
      : { kind: 'whole', count: Math.ceil(shared) };
  }
  return { kind: 'none' };
}
