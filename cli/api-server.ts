/**
 * Starts the API over an open store: the options from the config, the Express app listening on
 * host:port, and a bounded stop (connections closed, the audit buffer flushed within the deadline).
 * Used by `gpu-ledger api` and the demo.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadRoles } from '../api/auth/roles-config.ts';
import { createApi, type Api, type ApiOptions } from '../api/create-api.ts';
import { loadCostConfig } from '../pipeline/cost/cost-config.ts';
import type { TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { pricingFromConfig } from './alerting.ts';
import type { AppConfig } from './config.ts';

const VERSION = '0.1.0';

export const apiOptionsFrom = (config: AppConfig, database: string): ApiOptions => ({
  database,
  roles: loadRoles(config.api.rolesPath),
  oidc:
    config.api.oidc === null
      ? null
      : {
          ...config.api.oidc,
          roleClaim: 'gpu_ledger_role',
          tenantClaim: 'gpu_ledger_tenant',
          teamClaim: 'gpu_ledger_team',
          namespaceClaim: 'gpu_ledger_namespace',
        },
  tokenCacheMs: config.api.tokenCacheMs,
  readCacheEntries: config.api.readCacheEntries,
  audit: { maxPending: config.api.auditMaxPending, flushIntervalMs: 200, spoolPath: config.api.auditSpoolPath },
  limits: { maxWindowHours: config.api.maxWindowDays * 24, maxRows: config.api.maxRows },
  rateLimit: { windowMs: 60_000, max: config.api.rateLimitPerMinute },
  corsOrigins: config.api.corsOrigins,
  focus: loadCostConfig(config.costConfigPath).focus,
  pricing: pricingFromConfig(config),
  version: VERSION,
});

export interface RunningApi {
  readonly api: Api;
  /** http://host:port */
  readonly url: string;
  /** Stops listening, closes connections, flushes the audit log within deadlineMs. */
  stop(deadlineMs: number): Promise<void>;
}

export async function startApiServer(
  store: TelemetryStore,
  options: ApiOptions,
  listen: { readonly host: string; readonly port: number },
  logger: Logger,
): Promise<RunningApi> {
  const api = createApi(store.executor, options, { logger, now: Date.now });
  const server: Server = await new Promise((resolve, reject) => {
    const s = api.app.listen(listen.port, listen.host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    api,
    url: `http://${host}:${port}`,
    async stop(deadlineMs) {
      const closed = new Promise((r) => server.close(r));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), Math.max(0, deadlineMs / 2)).unref();
      await closed;
      clearTimeout(timer);
      await api.close(deadlineMs / 2);
    },
  };
}
