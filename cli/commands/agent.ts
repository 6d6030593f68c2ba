import type { Command } from 'commander';
import { createAgent } from '../../collectors/agent.ts';
import { createNvidiaSmiXmlCollector } from '../../collectors/nvidia-smi/nvidia-smi-collector.ts';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import type { CliContext } from '../main.ts';
import { untilSignal } from '../run-until-signal.ts';

/** `gpu-ledger agent`: the per-host agent, sampling nvidia-smi and producing batches to Kafka. */
export function registerAgentCommand(program: Command, ctx: CliContext): void {
  program
    .command('agent')
    .description('run the GPU host agent: sample nvidia-smi every interval and produce batches to Kafka')
    .action(async () => {
      const config = ctx.config();
      const logger = ctx.logger('agent');
      const bus = createKafkaBus({ brokers: config.kafkaBrokers, clientId: `agent-${config.node}`, logger: logger.child({ component: 'kafka' }) });
      const collector = createNvidiaSmiXmlCollector({ path: config.nvidiaSmiPath, timeoutMs: config.nvidiaSmiTimeoutMs, maxOutputBytes: 16 * 1024 * 1024 }, Date.now);
      const agent = createAgent({ gpuCollector: collector, sink: bus, logger, now: Date.now }, { agentId: `${config.cluster}/${config.node}`, cluster: config.cluster, node: config.node });
      logger.info({ node: config.node, intervalMs: config.sampleIntervalMs, bootId: agent.bootId }, 'agent started');
      agent.start(config.sampleIntervalMs);
      const signal = await untilSignal();
      logger.info({ signal }, 'agent stopping');
      await agent.close();
      await bus.close();
    });
}
