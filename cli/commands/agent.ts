import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/** `gpu-ledger agent`: the per-host agent (cli/run-agent.ts, loaded only when this command runs). */
export function registerAgentCommand(program: Command, ctx: CliContext): void {
  program
    .command('agent')
    .description('run the GPU host agent: sample GPUs every interval and produce batches to Kafka through a disk spool')
    .action(async () => {
      const { runAgent } = await import('../run-agent.ts');
      await runAgent(ctx);
    });
}
