import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createPodEventPublisher } from '../collectors/kubernetes/pod-event-publisher.ts';
import { createPodWatcher } from '../collectors/kubernetes/pod-watcher.ts';
import type { RecordSink } from '../contracts/index.ts';
import type { AppConfig } from './config.ts';

/**
 * Watches this node's pods through the Kubernetes API (kubeconfig from KUBECONFIG / ~/.kube/config,
 * or the in-cluster service account) and publishes their lifecycle events through `sink`. The pods
 * it tracks are kept beside the spool (`pod-tracker.json`), so a restarted agent notices the pods
 * deleted while it was down.
 */
export async function startPodEvents(
  config: AppConfig,
  sink: RecordSink,
  logger: Logger,
): Promise<{ close(): Promise<void> }> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const watcher = createPodWatcher(
    { kubeConfig, logger: logger.child({ component: 'pod-watcher' }), now: Date.now },
    { cluster: config.cluster, nodeName: config.node, statePath: join(config.spoolDir, 'pod-tracker.json') },
  );
  const publisher = createPodEventPublisher(watcher, sink, { logger: logger.child({ component: 'pod-events' }) });
  // The first list can take a while against a large cluster; sampling does not wait for it.
  void watcher.start().catch((error: unknown) => logger.error({ err: error }, 'pod watcher stopped'));
  return {
    async close() {
      await watcher.close();
      await publisher.close();
    },
  };
}
