import { z } from 'zod';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import { epochMsSchema, labelsSchema, migProfileSchema, nonEmptyStringSchema, schemaVersion1Schema } from './fields.ts';

/** Pod lifecycle transitions, in the order a pod normally passes them. */
export const PodEventType = {
  /** The pod object was created in the API server (not yet on a node). */
  created: 'created',
  /** The pod was bound to a node: from here its GPU request is reserved on that node. */
  scheduled: 'scheduled',
  /** Its containers started running (phase Running). */
  started: 'started',
  /** All containers terminated (phase Succeeded or Failed); the devices are free again. */
  finished: 'finished',
  /** The pod object was deleted (also sent for pods deleted before they finished). */
  deleted: 'deleted',
} as const;
export type PodEventType = (typeof PodEventType)[keyof typeof PodEventType];

/** How a pod asks for GPU. */
export const GpuRequestKind = { none: 'none', whole: 'whole', fraction: 'fraction', mig: 'mig' } as const;
export type GpuRequestKind = (typeof GpuRequestKind)[keyof typeof GpuRequestKind];

/**
 * The pod's GPU request, one of:
 * - `none`: no GPU;
 * - `whole`: `count` whole GPUs (`nvidia.com/gpu: count`);
 * - `fraction`: a share of ONE GPU in thousandths, `milli` 1..999 (time-slicing/MPS replicas, the
 *   Alibaba trace's `gpu_milli`), optionally with a GPU memory limit `memoryBytes`;
 * - `mig`: `count` MIG instances of `profile` (`nvidia.com/mig-1g.10gb: count`).
 * A request of 1000 milli or more is expressed as `whole`.
 */
export const GpuRequestSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal(GpuRequestKind.none) }),
    z.object({ kind: z.literal(GpuRequestKind.whole), count: z.int().min(1) }),
    z.object({
      kind: z.literal(GpuRequestKind.fraction),
      milli: z.int().min(1).max(999),
      memoryBytes: z.int().min(0).nullable().optional(),
    }),
    z.object({ kind: z.literal(GpuRequestKind.mig), profile: migProfileSchema, count: z.int().min(1) }),
  ])
  .readonly();
export type GpuRequest = z.infer<typeof GpuRequestSchema>;

/** The pod's controlling owner (`metadata.ownerReferences[controller=true]`), e.g. `{ kind: 'ReplicaSet', name: 'vllm-7d9f' }`. */
export const PodOwnerSchema = z.object({ kind: nonEmptyStringSchema, name: nonEmptyStringSchema }).readonly();
export type PodOwner = z.infer<typeof PodOwnerSchema>;

/**
 * PodEvent v1 — one lifecycle transition of one pod. Topic `kube.pod-events.v1`; key it by
 * `podUid` so that one pod's events stay in order on one partition.
 *
 * Every event carries the pod's full current description (namespace, name, labels, owner, GPU
 * request, assigned devices), so a consumer can start from any event. Allocation time is derived
 * from the event times (`atMs`), not from sampling. Events may be delivered more than once;
 * `(podUid, event)` identifies a transition (a transition happens at most once per pod).
 * `atMs` is the time of the transition as Kubernetes recorded it when known (e.g. container
 * `startedAt`), else when the watcher saw it; UTC epoch ms.
 */
export const PodEventSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    cluster: nonEmptyStringSchema,
    /** Node the pod is bound to; null before it is scheduled. */
    node: nonEmptyStringSchema.nullable(),
    podUid: nonEmptyStringSchema,
    namespace: nonEmptyStringSchema,
    podName: nonEmptyStringSchema,
    event: z.enum(PodEventType),
    atMs: epochMsSchema,
    gpuRequest: GpuRequestSchema,
    /** Pod labels (team, tenant, cost-center, model, …) as in the API. */
    labels: labelsSchema,
    owner: PodOwnerSchema.nullable(),
    /** Devices assigned to the pod (`GPU-…` or `MIG-…` UUIDs) when known (pod-resources API); else empty. */
    gpuUuids: z.array(nonEmptyStringSchema).readonly(),
  })
  .readonly();
export type PodEvent = z.infer<typeof PodEventSchema>;

/** Decodes one `kube.pod-events.v1` value. Never throws. */
export const decodePodEvent = (raw: string): Result<PodEvent> => decodeJson(PodEventSchema, raw);
