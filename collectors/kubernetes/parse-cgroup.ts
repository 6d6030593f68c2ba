/**
 * Pure parser: the content of `/proc/<pid>/cgroup` → the Kubernetes pod (UID, QoS class) and the
 * container the process runs in.
 *
 * Input forms:
 * - cgroup v1: many `hierarchy-id:controllers:/path` lines (`12:memory:/kubepods/…`, `1:name=systemd:/…`);
 * - cgroup v2: one `0::/path` line; in hybrid mode both appear. The path after the second colon is
 *   taken whole (a path may itself contain `:`).
 * - When the reader sits in its own cgroup namespace (an agent pod on cgroup v2), paths of other
 *   processes start with `/../..`; the parser looks at path components, so that still works.
 *
 * Kubepods path forms recognised (per component, so any cgroup root prefix is fine):
 * - cgroupfs driver: `/kubepods[/burstable|/besteffort]/pod<uid>/<container>` (guaranteed pods sit
 *   directly under `kubepods`);
 * - systemd driver: `kubepods[-burstable|-besteffort]-pod<uid_with_underscores>.slice` (also under a
 *   `kubelet-` prefix as kind uses it); underscores are turned back into dashes.
 * Container components: a 64-hex id, bare (cgroupfs, `/docker/<id>`) or as `<runtime>-<id>[.scope]`
 * for containerd (`cri-containerd-`), CRI-O (`crio-`, `crio-conmon-`), Docker (`docker-`), podman
 * (`libpod-`); and ECS task containers `<32-hex>-<digits>` (Elastic APM's rule).
 * The container ID is returned without the runtime prefix (`cri-containerd-abc….scope` → `abc…`).
 */

/** Pod QoS class as the kubelet encodes it in the cgroup path. */
export const PodQosClass = { guaranteed: 'guaranteed', burstable: 'burstable', besteffort: 'besteffort' } as const;
export type PodQosClass = (typeof PodQosClass)[keyof typeof PodQosClass];

/** What a cgroup path says about a process; at least one of podUid / containerId is non-null. */
export interface CgroupIdentity {
  /** Pod UID with dashes (`90d81341-92de-11e7-8cf2-507b9d4141fa`); null outside a pod. */
  readonly podUid: string | null;
  /** Container ID without runtime prefix; null when the path ends at the pod (sandbox) level. */
  readonly containerId: string | null;
  /** Null outside a pod. */
  readonly qosClass: PodQosClass | null;
}

const UID = '[0-9a-fA-F]{8}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{12}';
const SYSTEMD_POD = new RegExp(`(?:^|-)kubepods(?:-(burstable|besteffort))?-pod(${UID})\\.slice$`);
const CGROUPFS_POD = new RegExp(`^pod(${UID})$`);
const CONTAINER = /^(?:cri-containerd-|crio-conmon-|crio-|docker-|libpod-|containerd-)?([0-9a-f]{64})(?:\.scope)?$/;
const ECS_CONTAINER = /^([0-9a-f]{32}-[0-9]+)$/;

const toQos = (qos: string | undefined): PodQosClass =>
  qos === 'burstable' || qos === 'besteffort' ? qos : PodQosClass.guaranteed;

function podOf(
  component: string,
  parent: string | undefined,
  grandParent: string | undefined,
): { uid: string; qos: PodQosClass } | null {
  const systemd = SYSTEMD_POD.exec(component);
  if (systemd?.[2]) return { uid: systemd[2].replaceAll('_', '-').toLowerCase(), qos: toQos(systemd[1]) };
  const cgroupfs = CGROUPFS_POD.exec(component);
  if (!cgroupfs?.[1]) return null;
  // cgroupfs: /kubepods/pod<uid> (guaranteed) or /kubepods/<qos>/pod<uid>
  if (parent === 'kubepods') return { uid: cgroupfs[1].toLowerCase(), qos: PodQosClass.guaranteed };
  if (grandParent === 'kubepods' && (parent === 'burstable' || parent === 'besteffort'))
    return { uid: cgroupfs[1].toLowerCase(), qos: parent };
  return null;
}

const containerOf = (component: string): string | null =>
  CONTAINER.exec(component)?.[1] ?? ECS_CONTAINER.exec(component)?.[1] ?? null;

/** The identity one cgroup path gives, or null when it names neither a pod nor a container. */
export function parseCgroupPath(path: string): CgroupIdentity | null {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  let pod: { uid: string; qos: PodQosClass } | null = null;
  let podIndex = -1;
  for (const [i, component] of parts.entries()) {
    const found = podOf(component, parts[i - 1], parts[i - 2]);
    if (found) [pod, podIndex] = [found, i];
  }
  // Inside a pod only the component right below the pod is its container; outside, the leaf.
  const containerComponent = pod ? parts[podIndex + 1] : parts.at(-1);
  const containerId = containerComponent === undefined ? null : containerOf(containerComponent);
  if (!pod && containerId === null) return null;
  return { podUid: pod?.uid ?? null, containerId, qosClass: pod?.qos ?? null };
}

const score = (id: CgroupIdentity): number => (id.podUid ? 2 : 0) + (id.containerId ? 1 : 0);

/**
 * Parses a whole `/proc/<pid>/cgroup` file (v1, v2 or hybrid). Of all lines, the one that says the
 * most wins (pod and container > pod > container); on a tie the first line. Lines that are not
 * `id:controllers:path` are skipped. Null when no line names a pod or a container (host process).
 */
export function parseCgroup(content: string): CgroupIdentity | null {
  let best: CgroupIdentity | null = null;
  for (const line of content.split('\n')) {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) continue;
    const id = parseCgroupPath(line.slice(second + 1).trim());
    if (id && (!best || score(id) > score(best))) best = id;
  }
  return best;
}
