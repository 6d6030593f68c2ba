import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import type { Subscription } from '../../contracts/bus.ts';
import { createPlacementExtender } from '../../scheduler/extender/extender.ts';
import { parseOpenbPods } from '../../scheduler/openb-trace.ts';
import { POLICIES } from '../../scheduler/policies/index.ts';
import { computeWorkloadShapes } from '../../scheduler/workload-shapes.ts';
import type { CliContext } from '../context.ts';
import { startExtenderServer } from '../extender-server.ts';
import { createKubeSource, subscribeNodeHints } from '../extender-sources.ts';
import { parseDuration } from '../parse-duration.ts';
import { untilSignal } from '../run-until-signal.ts';
import { createBus } from '../wiring.ts';

interface ExtenderCommandOptions {
  host: string;
  port: string;
  policy: string;
  workload?: string;
  resync: string;
  hints: boolean;
}

/**
 * `gpu-ledger extender`: the Kubernetes scheduler extender (filter, prioritize, bind) until
 * SIGTERM/SIGINT, scoring with the same policy as `gpu-ledger simulate` (scheduler/extender/README.md).
 */
export function registerExtenderCommand(program: Command, ctx: CliContext): void {
  program
    .command('extender')
    .description('serve the kube-scheduler extender (filter, prioritize, bind) with a placement policy')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'listen port', '8888')
    .option('--policy <name>', `one of ${Object.keys(POLICIES).join(', ')}`, 'gpu-ledger')
    .option(
      '--workload <pod-csv>',
      'pod list whose shapes the policy measures fragmentation against (default: openb default trace)',
    )
    .option('--resync <duration>', 'how often to re-list nodes and pods from the API server', '30s')
    .option('--no-hints', 'do not consume optimize.node-hints.v1')
    .action(async (options: ExtenderCommandOptions) => {
      const config = ctx.config();
      const logger = ctx.logger('extender');
      const policy = POLICIES[options.policy];
      if (!policy) throw new Error(`unknown policy "${options.policy}" (one of ${Object.keys(POLICIES).join(', ')})`);
      const workloadPath = options.workload ?? join(config.tracesDir, 'openb', 'openb_pod_list_default.csv');
      const workload = computeWorkloadShapes(parseOpenbPods(readFileSync(workloadPath, 'utf8'), workloadPath));
      const extender = createPlacementExtender({ policy, workload });
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromDefault();
      const kube = createKubeSource(kubeConfig, extender, Date.now);
      await kube.sync();
      const resyncMs = parseDuration(options.resync);
      const timer = setInterval(
        () => void kube.sync().catch((error: unknown) => logger.warn({ err: error }, 'resync failed')),
        resyncMs,
      );
      const bus = options.hints ? createBus(config, logger, 'gpu-ledger-extender') : null;
      const hints: Subscription | null = bus ? await subscribeNodeHints(bus, extender, config.cluster, logger) : null;
      const server = await startExtenderServer(
        { extender, bind: kube.bind, readPod: kube.readPod, nowMs: Date.now, logger },
        { host: options.host, port: Number(options.port) },
      );
      logger.info({ url: server.url, policy: policy.id, workload: workloadPath }, 'extender started');
      const signal = await untilSignal();
      logger.info({ signal }, 'extender stopping');
      clearInterval(timer);
      await server.stop();
      await hints?.close();
      await bus?.close();
    });
}
