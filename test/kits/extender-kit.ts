/**
 * Shared by the extender's replay test, its kube-scheduler test and bench:extender: openb nodes and
 * pods as the core/v1 objects kube-scheduler would send (GPU feature discovery's product label,
 * `nvidia.com/gpu` allocatable; whole GPUs as `nvidia.com/gpu`, shares as HAMi `nvidia.com/gpucores`
 * percent, allowed models as required node affinity), and a client that speaks the extender
 * protocol over HTTP as kube-scheduler does (Go field names).
 */
import { request, Agent } from 'node:http';
import { GPU_MILLI, type NodeSpec, type PodRequest } from '../../scheduler/cluster.ts';
import { GPU_PRODUCT_LABEL } from '../../scheduler/extender/kube-objects.ts';

export const openbNodeObject = (spec: NodeSpec, extraLabels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: spec.name, labels: { [GPU_PRODUCT_LABEL]: spec.gpuModel, ...extraLabels } },
  status: {
    capacity: {
      cpu: `${spec.cpuMilli}m`,
      memory: `${spec.memoryMib}Mi`,
      'nvidia.com/gpu': String(spec.gpuCount),
      pods: '110',
    },
    allocatable: {
      cpu: `${spec.cpuMilli}m`,
      memory: `${spec.memoryMib}Mi`,
      'nvidia.com/gpu': String(spec.gpuCount),
      pods: '110',
    },
  },
});

export function openbPodObject(pod: PodRequest, namespace = 'openb') {
  const limits: Record<string, string> =
    pod.gpuCount === 0
      ? {}
      : pod.gpuMilli >= GPU_MILLI
        ? { 'nvidia.com/gpu': String(pod.gpuCount) }
        : { 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': String(pod.gpuMilli / 10) };
  const affinity =
    pod.gpuCount > 0 && pod.gpuSpec.length > 0
      ? {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: GPU_PRODUCT_LABEL, operator: 'In', values: pod.gpuSpec }] },
              ],
            },
          },
        }
      : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace, uid: `uid-${pod.name}` },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'registry.k8s.io/pause:3.10',
          resources: { requests: { cpu: `${pod.cpuMilli}m`, memory: `${pod.memoryMib}Mi`, ...limits }, limits },
        },
      ],
      ...(affinity ? { affinity } : {}),
    },
  };
}

/** POSTs JSON over a keep-alive connection, as kube-scheduler's extender client does. */
export function extenderClient(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (verb: string, body: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = request(
        `${url}/${verb}`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (data += d));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(JSON.parse(data))
              : reject(new Error(`${verb}: HTTP ${res.statusCode}: ${data}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  return { post, close: () => agent.destroy() };
}
