import { pino, type Logger } from 'pino';
import { loadConfig, logLevelFromEnv, type AppConfig } from './config.ts';

/** What every subcommand gets from the command line's entry point: its config, loggers, and the environment to hand to children. */
export interface CliContext {
  /** The validated config (throws one ConfigError listing every problem). */
  config(): AppConfig;
  /** A JSON logger on stderr; `fallbackLevel` applies when GPU_LEDGER_LOG_LEVEL is unset (the demo keeps its report clean). */
  logger(name: string, fallbackLevel?: string): Logger;
  /** The environment, passed on to child processes a command starts (the demo's agents). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function createCliContext(env: Readonly<Record<string, string | undefined>>, cwd: string): CliContext {
  return {
    config: () => loadConfig(env, cwd),
    logger: (name, fallbackLevel = 'info') =>
      pino({ name, level: logLevelFromEnv(env) ?? fallbackLevel }, pino.destination(2)),
    env,
  };
}
