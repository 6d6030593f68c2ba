import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { runNvidiaSmi, NVIDIA_SMI_QUERIES } from '../collectors/nvidia-smi/run-nvidia-smi.ts';
import { startTopologyReporter, type TopologyReporter } from '../collectors/nvidia-smi/topology-reporter.ts';
import { GPU_ISLANDS_ANNOTATION } from '../scheduler/extender/kube-objects.ts';
import type { AppConfig } from './config.ts';

/** How often the agent re-reads the topology (a change is rare: a GPU lost, a driver reload). */
const TOPOLOGY_CHECK_MS = 10 * 60_000;

/**
 * The agent's topology report to the scheduler extender: `nvidia-smi topo -m` → the islands
 * annotation on this node's Node object (merge patch), at start and on change. Needs the same
 * Kubernetes access as pod watching, plus `patch` on its own Node.
 */
export function startNodeTopology(config: AppConfig, logger: Logger): TopologyReporter {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const api = kubeConfig.makeApiClient(CoreV1Api);
  const smi = { path: config.nvidiaSmiPath, timeoutMs: config.nvidiaSmiTimeoutMs, maxOutputBytes: 1024 * 1024 };
  return startTopologyReporter(
    {
      readTopology: () => runNvidiaSmi(smi, NVIDIA_SMI_QUERIES.topology),
      publish: async (islands) => {
        await api.patchNode(
          { name: config.node, body: { metadata: { annotations: { [GPU_ISLANDS_ANNOTATION]: islands } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      },
      logger: logger.child({ component: 'topology' }),
    },
    TOPOLOGY_CHECK_MS,
  );
}
