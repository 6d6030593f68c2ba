import { Argument, type Command } from 'commander';
import { pino } from 'pino';
import { loadStackConfig, processEnv, type StackConfig } from './config.ts';
import { restartService, stackDown, stackReset, stackStatus, stackUp } from './stack.ts';
import { SERVICE_NAMES, type ServiceName, type StackLogger, type StackStatus } from './types.ts';

export interface StackCommandOptions {
  /** Defaults to a pino logger named `stack` writing to stderr (stdout stays for `status` output). */
  readonly logger?: StackLogger;
  /** Defaults to the process environment. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Adds `stack up [--clean] | down | status [--json] | restart <service> | reset` to a commander program. */
export function registerStackCommand(program: Command, options: StackCommandOptions = {}): Command {
  let logger = options.logger;
  const log = (): StackLogger => (logger ??= pino({ name: 'stack' }, pino.destination({ dest: 2, sync: true })));
  const config = (): StackConfig => loadStackConfig(options.env ?? processEnv());

  const stack = program
    .command('stack')
    .description('local Kafka + ClickHouse + Alertmanager for tests, the demo and development');

  stack
    .command('up')
    .description(
      'install what is missing, start Kafka, ClickHouse and Alertmanager, wait until all are healthy (idempotent)',
    )
    .option('--clean', 'wipe the run dir (all topics, tables and logs) first')
    .action(async (opts: { clean?: boolean }) => {
      printStatus(await stackUp(config(), log(), { clean: opts.clean === true }));
    });

  stack
    .command('down')
    .description('stop the services this stack started (data is kept)')
    .action(async () => {
      await stackDown(config(), log());
    });

  stack
    .command('status')
    .description('per service: running/stopped, pid, port, healthy')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const status = await stackStatus(config());
      if (opts.json) console.log(JSON.stringify(status, null, 2));
      else printStatus(status);
    });

  stack
    .command('restart')
    .description('stop and start one service (its data is kept)')
    .addArgument(new Argument('<service>', 'which service').choices(SERVICE_NAMES))
    .action(async (service: ServiceName) => {
      await restartService(config(), service, log());
    });

  stack
    .command('reset')
    .description('stop the stack and delete its run dir (all topics, tables and logs)')
    .action(async () => {
      await stackReset(config(), log());
    });

  return stack;
}

function printStatus(status: StackStatus): void {
  for (const s of Object.values(status.services)) {
    const ports = Object.entries(s.ports)
      .map(([role, port]) => `${role} ${port}`)
      .join(', ');
    console.log(
      `${s.name.padEnd(10)} ${s.state.padEnd(7)} ${(s.pid === null ? '-' : `pid ${s.pid}`).padEnd(10)} ${(s.healthy ? 'healthy' : 'unhealthy').padEnd(9)} ${ports}  log ${s.logFile}`,
    );
  }
  console.log(`run dir ${status.runDir}: ${status.healthy ? 'all healthy' : 'NOT healthy'}`);
}
