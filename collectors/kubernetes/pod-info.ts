/**
 * Pure: a Pod object (typed @kubernetes/client-node V1Pod with Date fields, or raw watch JSON with
 * RFC 3339 strings; both fit `PodLike`) → what GPU Ledger keeps about it, and the times of its
 * lifecycle transitions as Kubernetes recorded them.
 *
 * Transition times (UTC epoch ms; Kubernetes timestamps have second precision):
 * - created: `metadata.creationTimestamp`;
 * - scheduled: `lastTransitionTime` of the `PodScheduled` condition with status True (set by the
 *   binding, or by the kubelet for pods created with `spec.nodeName`); a pod already further on
 *   (started, finished, deleted) that is on a node without that condition was created bound:
 *   scheduled = created;
 * - started: earliest `startedAt` of the app containers (running, terminated, or last terminated);
 * - finished: only in phase Succeeded/Failed: latest `finishedAt` of the app containers;
 * - deletionRequested: `metadata.deletionTimestamp` (the deadline of a graceful deletion).
 * A time that is absent is null; the tracker substitutes "when seen" where a transition is certain.
 */
import type { GpuRequest, PodOwner } from '../../contracts/index.ts';
import { gpuUuidsOf } from './assigned-gpus.ts';
import { gpuRequestOf, type GpuRequestOptions, type PodSpecResourcesLike } from './gpu-request.ts';

type Time = Date | string;
interface ContainerStateLike {
  readonly running?: { readonly startedAt?: Time } | undefined;
  readonly terminated?: { readonly startedAt?: Time; readonly finishedAt?: Time } | undefined;
}
interface ContainerStatusLike {
  readonly state?: ContainerStateLike | undefined;
  readonly lastState?: ContainerStateLike | undefined;
}
/** The fields of a Pod this module reads. */
export interface PodLike {
  readonly metadata?: {
    readonly uid?: string;
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly {
      readonly kind: string;
      readonly name: string;
      readonly controller?: boolean;
    }[];
    readonly creationTimestamp?: Time;
    readonly deletionTimestamp?: Time;
  };
  readonly spec?: PodSpecResourcesLike & { readonly nodeName?: string };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly {
      readonly type: string;
      readonly status: string;
      readonly lastTransitionTime?: Time;
    }[];
    readonly containerStatuses?: readonly ContainerStatusLike[];
  };
}

export interface PodTimes {
  readonly createdMs: number | null;
  readonly scheduledMs: number | null;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
  readonly deletionRequestedMs: number | null;
}

/** What the watcher keeps per pod (the descriptive part of every PodEvent, plus the times). */
export interface PodInfo {
  readonly podUid: string;
  readonly namespace: string;
  readonly podName: string;
  /** `spec.nodeName`; null while unscheduled. */
  readonly node: string | null;
  readonly phase: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly owner: PodOwner | null;
  readonly gpuRequest: GpuRequest;
  /** From scheduler annotations (see assigned-gpus.ts); empty when unknown. */
  readonly gpuUuids: readonly string[];
  readonly times: PodTimes;
}

const toMs = (t: Time | undefined): number | null => {
  if (t === undefined || t === null) return null;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
};
const minOf = (xs: (number | null)[]): number | null =>
  xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.min(m, x)), null);
const maxOf = (xs: (number | null)[]): number | null =>
  xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);

function timesOf(pod: PodLike): PodTimes {
  const status = pod.status ?? {};
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  const containers = status.containerStatuses ?? [];
  const startedAt = containers.flatMap((c) =>
    [c.state?.running?.startedAt, c.state?.terminated?.startedAt, c.lastState?.terminated?.startedAt].map(toMs),
  );
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  return {
    createdMs: toMs(pod.metadata?.creationTimestamp),
    scheduledMs: scheduled ? toMs(scheduled.lastTransitionTime) : null,
    startedMs: minOf(startedAt),
    finishedMs: terminal ? maxOf(containers.map((c) => toMs(c.state?.terminated?.finishedAt))) : null,
    deletionRequestedMs: toMs(pod.metadata?.deletionTimestamp),
  };
}

/** The pod's description and times; null when it lacks uid, name or namespace (not a stored Pod). */
export function toPodInfo(pod: PodLike, options: GpuRequestOptions = {}): PodInfo | null {
  const { uid, name, namespace } = pod.metadata ?? {};
  if (!uid || !name || !namespace) return null;
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
  return {
    podUid: uid,
    namespace,
    podName: name,
    node: pod.spec?.nodeName || null,
    phase: pod.status?.phase ?? null,
    labels: { ...(pod.metadata?.labels ?? {}) },
    owner: owner?.kind && owner.name ? { kind: owner.kind, name: owner.name } : null,
    gpuRequest: gpuRequestOf(pod.spec ?? {}, options),
    gpuUuids: gpuUuidsOf(pod.metadata?.annotations ?? {}),
    times: timesOf(pod),
  };
}
