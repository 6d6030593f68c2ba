import { Command } from 'commander';
import { pino } from 'pino';
import { ConfigError } from '../contracts/config-error.ts';
import { registerStackCommand } from '../stack/command.ts';
import { registerAgentCommand } from './commands/agent.ts';
import { registerCostCommand } from './commands/cost.ts';
import { registerDeadLettersCommand } from './commands/deadletters.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerInspectCommand } from './commands/inspect.ts';
import { registerPipelineCommand } from './commands/pipeline.ts';
import { registerQueryCommand } from './commands/query.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { loadConfig } from './config.ts';

/**
 * The gpu-ledger command line: the only place that reads process.env and owns the root logger.
 * Each subcommand wires concrete adapters through ./wiring.ts.
 */
const program = new Command('gpu-ledger')
  .description('GPU observability and FinOps: who uses which GPU, what it costs, what should change.')
  .showHelpAfterError();

const context = {
  config: () => loadConfig(process.env, process.cwd()),
  /** JSON logs on stderr; `fallbackLevel` applies when GPU_LEDGER_LOG_LEVEL is unset (the demo keeps its report clean). */
  logger: (name: string, fallbackLevel = 'info') =>
    pino({ name, level: process.env['GPU_LEDGER_LOG_LEVEL'] ?? fallbackLevel }, pino.destination(2)),
  env: process.env,
};
export type CliContext = typeof context;

registerStackCommand(program);
registerAgentCommand(program, context);
registerPipelineCommand(program, context);
registerDeadLettersCommand(program, context);
registerQueryCommand(program, context);
registerCostCommand(program, context);
registerDemoCommand(program, context);
registerInspectCommand(program);
registerSimulateCommand(program, context);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`gpu-ledger: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
}
