import type { Command } from 'commander';
import { apiOptionsFrom, startApiServer } from '../api-server.ts';
import type { CliContext } from '../context.ts';
import { untilSignal } from '../run-until-signal.ts';
import { openStore } from '../wiring.ts';

/** Bounded stop: half to drain requests, half to flush the audit log (a shared shutdown helper may replace it). */
const SHUTDOWN_MS = 10_000;

/** `gpu-ledger api`: the HTTP API (api/README.md) until SIGTERM/SIGINT. */
export function registerApiCommand(program: Command, ctx: CliContext): void {
  program
    .command('api')
    .description(
      'serve the HTTP API: allocations (OpenCost-compatible), model cost, quotas, budgets, alerts, recommendations, hints, FOCUS export, audit',
    )
    .action(async () => {
      const config = ctx.config();
      const logger = ctx.logger('api');
      const options = apiOptionsFrom(config, config.database);
      const store = await openStore(config);
      const server = await startApiServer(store, options, config.api, logger);
      logger.info({ url: server.url, mode: config.mode, oidc: options.oidc !== null }, 'api started');
      const signal = await untilSignal();
      logger.info({ signal }, 'api stopping');
      await server.stop(SHUTDOWN_MS);
      await store.close();
    });
}
