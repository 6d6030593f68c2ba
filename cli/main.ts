import { Command } from 'commander';
import { ConfigError } from '../contracts/config-error.ts';
import { registerStackCommand } from '../stack/command.ts';
import { registerAgentCommand } from './commands/agent.ts';
import { registerAlertsCommand } from './commands/alerts.ts';
import { registerBudgetsCommand } from './commands/budgets.ts';
import { registerApiCommand } from './commands/api.ts';
import { registerCostCommand } from './commands/cost.ts';
import { registerDeadLettersCommand } from './commands/dead-letters.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerExtenderCommand } from './commands/extender.ts';
import { registerInspectCommand } from './commands/inspect.ts';
import { registerPipelineCommand } from './commands/pipeline.ts';
import { registerQueryCommand } from './commands/query.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerRecommendCommand } from './commands/recommend.ts';
import { registerRulesCommand } from './commands/rules.ts';
import { registerTokensCommand } from './commands/tokens.ts';
import { createCliContext } from './context.ts';

/**
 * The gpu-ledger command line: the only place that hands process.env on (to cli/context.ts, which reads it
 * through cli/config.ts).
 * Each subcommand wires concrete adapters through ./wiring.ts.
 */
const program = new Command('gpu-ledger')
  .description('GPU observability and FinOps: who uses which GPU, what it costs, what should change.')
  .showHelpAfterError();

const context = createCliContext(process.env, process.cwd());

registerStackCommand(program);
registerAgentCommand(program, context);
registerPipelineCommand(program, context);
registerDeadLettersCommand(program, context);
registerQueryCommand(program, context);
registerCostCommand(program, context);
registerRecommendCommand(program, context);
registerApiCommand(program, context);
registerTokensCommand(program, context);
registerDemoCommand(program, context);
registerInspectCommand(program);
registerSimulateCommand(program, context);
registerExtenderCommand(program, context);
registerRulesCommand(program, context);
registerAlertsCommand(program, context);
registerBudgetsCommand(program, context);

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
