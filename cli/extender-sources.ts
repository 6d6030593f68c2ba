/**
 * Where `gpu-ledger extender` learns the cluster: the API server (nodes, the pods already placed,
 * and the Binding it creates at bind) and the node hints on Kafka (optimize.node-hints.v1).
 */
import { randomUUID } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1Binding } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { RecordBus, Subscription } from '../contracts/bus.ts';
import { decodeNodeHint } from '../contracts/node-hint.ts';
import { Topics } from '../contracts/topics.ts';
import type { BindPlan, PlacementExtender } from '../scheduler/extender/extender.ts';
import { GPU_INDICES_ANNOTATION, kubeNodeOf, kubePodOf } from '../scheduler/extender/kube-objects.ts';
import type { ExtenderBindingArgs } from '../scheduler/extender/protocol.ts';

export interface KubeSource {
  /** Creates the pod's Binding; its annotations (the chosen GPU indices) land on the pod. */
  readonly bind: (plan: BindPlan, args: ExtenderBindingArgs) => Promise<void>;
  readonly readPod: (namespace: string, name: string) => Promise<unknown>;
  /** Lists nodes and placed pods into the extender; forgets pods no longer listed. */
  readonly sync: () => Promise<void>;
}

const indicesOf = (annotations: Readonly<Record<string, string>> | undefined): number[] | null => {
  const value = annotations?.[GPU_INDICES_ANNOTATION];
  return value !== undefined && /^\d+(,\d+)*$/.test(value) ? value.split(',').map(Number) : null;
};

export function createKubeSource(kubeConfig: KubeConfig, extender: PlacementExtender, nowMs: () => number): KubeSource {
  const api = kubeConfig.makeApiClient(CoreV1Api);
  return {
    bind: async (plan, args) => {
      const body: V1Binding = {
        metadata: {
          name: args.podName,
          namespace: args.podNamespace,
          ...(args.podUid ? { uid: args.podUid } : {}),
          ...(plan.request.gpuCount > 0
            ? { annotations: { [GPU_INDICES_ANNOTATION]: plan.gpuIndexes.join(',') } }
            : {}),
        },
        target: { apiVersion: 'v1', kind: 'Node', name: plan.node },
      };
      await api.createNamespacedBinding({ namespace: args.podNamespace, body });
    },
    readPod: (namespace, name) => api.readNamespacedPod({ namespace, name }),
    sync: async () => {
      const started = nowMs();
      for (const node of (await api.listNode()).items) {
        const n = kubeNodeOf(node);
        if (n) extender.upsertNode(n);
      }
      const pods = await api.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
      const listed = new Set<string>();
      for (const raw of pods.items) {
        const node = raw.spec?.nodeName;
        if (!node) continue;
        const pod = kubePodOf(raw);
        listed.add(pod.key);
        if (extender.placement(pod.key)) continue;
        // Bound by us before a restart: the annotation says which GPUs; bound by someone else: the policy's guess.
        const planned = extender.planBind(pod, node);
        const gpuIndexes = indicesOf(raw.metadata?.annotations) ?? (planned.ok ? planned.plan.gpuIndexes : []);
        extender.assign(pod.key, { node, request: pod.request, gpuIndexes, atMs: started });
      }
      extender.reconcile(listed, started);
    },
  };
}

/** Applies every node hint of `cluster`, from the beginning of the compacted topic, for as long as it runs. */
export function subscribeNodeHints(
  bus: RecordBus,
  extender: PlacementExtender,
  cluster: string,
  logger: Logger,
): Promise<Subscription> {
  return bus.subscribe({
    groupId: `gpu-ledger-extender-${randomUUID()}`,
    topics: [Topics.nodeHints],
    fromBeginning: true,
    async handleBatch(batch) {
      for (const record of batch.records) {
        const hint = decodeNodeHint(record.value);
        if (hint.ok) {
          if (hint.value.cluster === cluster) extender.applyHint(hint.value);
        } else logger.warn({ error: hint.error, offset: record.offset }, 'undecodable node hint skipped');
      }
    },
  });
}
