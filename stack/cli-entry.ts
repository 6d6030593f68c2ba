// Stand-alone entry for trying the stack now: `npx tsx stack/cli-entry.ts up|down|status|restart <svc>|reset`.
import { Command, CommanderError } from 'commander';
import { registerStackCommand } from './command.ts';

const program = new Command('gpu-ledger').exitOverride();
registerStackCommand(program);
try {
  await program.parseAsync(['stack', ...process.argv.slice(2)], { from: 'user' });
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode); // commander already printed usage/help
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
