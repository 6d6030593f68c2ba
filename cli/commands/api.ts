import type { Command } from 'commander';
import { apiOptionsFrom, startApiServer } from '../api-server.ts';
import type { CliContext } from '../context.ts';
import { installShutdown, shutdownShares } from '../shutdown.ts';
import { openStore } from '../wiring.ts';

/**
 * `gpu-ledger api`: the HTTP API (api/README.md). SIGTERM/SIGINT (cli/shutdown.ts): stop accepting,
 * let requests in flight finish, flush the audit log (what the store does not take goes to its spool),
 * close the store, exit within GPU_LEDGER_SHUTDOWN_TIMEOUT_MS.
 */
export function registerApiCommand(program: Command, ctx: CliContext): void {
  program
    .command('api')
    .description(
      'serve the HTTP API: allocations (OpenCost-compatible), model cost, quotas, budgets, alerts, recommendations, hints, FOCUS export, audit',
    )
    .action(async () => {
      const config = ctx.config();
      const logger = ctx.logger('api');
      const shutdown = installShutdown({ logger, deadlineMs: config.shutdownTimeoutMs });
      const shares = shutdownShares(config.shutdownTimeoutMs);
      const options = apiOptionsFrom(config, config.database);
      const store = await openStore(config);
      const server = await startApiServer(store, options, config.api, logger);
      logger.info({ url: server.url, mode: config.mode, oidc: options.oidc !== null }, 'api started');
      await shutdown.closeOnSignal([
        // Half of this drains requests, half flushes the audit log (RunningApi.stop).
        { name: 'HTTP server and audit log', close: () => server.stop(shares.drainMs + shares.kafkaMs) },
        { name: 'store', timeoutMs: shares.quickMs, close: () => store.close() },
      ]);
    });
}
