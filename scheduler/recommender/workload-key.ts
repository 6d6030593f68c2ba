/**
 * The workload a pod belongs to: its controller, with a Deployment's rollout hash removed, so that
 * the pods before and after a change (a new ReplicaSet `web-7d9f5c6b8`) are one workload.
 * - owner ReplicaSet `<deployment>-<hash>` where the pod carries `pod-template-hash=<hash>` (the
 *   label the Deployment controller sets): `<deployment>`;
 * - any other owner (StatefulSet, Job, DaemonSet, a ReplicaSet without that label): the owner's name;
 * - no owner: the pod's own name.
 */
import type { PodOwner } from '../../contracts/pod-event.ts';

export const workloadName = (pod: string, owner: PodOwner | null, labels: Readonly<Record<string, string>>): string => {
  if (owner === null) return pod;
  const hash = labels['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash !== undefined && hash !== '' && owner.name.endsWith(`-${hash}`))
    return owner.name.slice(0, -(hash.length + 1));
  return owner.name;
};
