/**
 * Composes the API from a store executor: the stores, tokens, optional OIDC, the audit buffer and the
 * self-metrics, and the Express app over them. Used by `gpu-ledger api`, the demo, the tests and the
 * bench. close() stops the audit buffer (flushing within the deadline) and the metrics.
 */
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createPrometheusMetrics } from '../collectors/self-metrics/prometheus-metrics.ts';
import { budgetSpends } from '../pipeline/budgets/budget-spend.ts';
import type { DevicePricing } from '../pipeline/rules/build-device-inputs.ts';
import { createAlertStore } from '../pipeline/store/alert-store.ts';
import { createBudgetStore } from '../pipeline/store/budget-store.ts';
import { createRecommendationStore } from '../pipeline/store/recommendation-store.ts';
import { readNodeHints } from '../scheduler/hints/node-hints-job.ts';
import { createAllocationStore } from '../pipeline/store/allocation-store.ts';
import { createApiTokenStore } from '../pipeline/store/api-token-store.ts';
import { createAuditStore } from '../pipeline/store/audit-store.ts';
import { createCostStore } from '../pipeline/store/cost-store.ts';
import { pingStore, type SqlExecutor } from '../pipeline/store/executor.ts';
import { API_CACHED_TABLES, createValidatedReadCache } from '../pipeline/store/validated-read-cache.ts';
import { createQuotaStore } from '../pipeline/store/quota-store.ts';
import { createApp, type ApiConfig } from './app.ts';
import { createAuditBuffer, type AuditBuffer } from './audit/audit-buffer.ts';
import { createOidcVerifier, type OidcConfig } from './auth/oidc.ts';
import type { RoleRegistry } from './auth/roles-config.ts';
import { createTokenService, type TokenService } from './auth/tokens.ts';
import { createApiMetrics } from './self-metrics.ts';

/** The utilization window of the hints the API computes (the node-hints job's default). */
const HINT_WINDOW_MS = 10 * 60_000;
/** As the job publishing every minute: a hint is stale after three. */
const HINT_STALE_MS = 3 * 60_000;

export interface ApiOptions extends ApiConfig {
  readonly database: string;
  readonly roles: RoleRegistry;
  readonly oidc: OidcConfig | null;
  /** How long a verified token is trusted before it is looked up again (revocation delay). */
  readonly tokenCacheMs: number;
  /**
   * Results of ledger, quota and model-cost reads kept and served while the tables they read are
   * unchanged (pipeline/store/validated-read-cache.ts); 0 turns the cache off.
   */
  readonly readCacheEntries: number;
  readonly audit: { readonly maxPending: number; readonly flushIntervalMs: number; readonly spoolPath: string | null };
  /** Prices budgets' open hour and the node hints as the pipeline does. */
  readonly pricing: DevicePricing;
}

export interface Api {
  readonly app: Express;
  readonly tokens: TokenService;
  readonly audit: AuditBuffer;
  close(deadlineMs: number): Promise<void>;
}

export function createApi(
  executor: SqlExecutor,
  options: ApiOptions,
  deps: {
    readonly logger: Logger;
    readonly now: () => number;
    /** Where the audit log is written, when not the data's store (default: `executor`). */
    readonly auditExecutor?: SqlExecutor;
  },
): Api {
  const store = { database: options.database };
  const auditStore = createAuditStore(deps.auditExecutor ?? executor, store);
  const audit = createAuditBuffer({
    write: (records) => auditStore.write(records),
    maxPending: options.audit.maxPending,
    batchSize: 1000,
    flushIntervalMs: options.audit.flushIntervalMs,
    maxBackoffMs: 5000,
    spoolPath: options.audit.spoolPath,
    logger: deps.logger.child({ component: 'audit' }),
  });
  const tokens = createTokenService(createApiTokenStore(executor, store), options.roles, {
    now: deps.now,
    cacheMs: options.tokenCacheMs,
  });
  const prometheus = createPrometheusMetrics('gpu-ledger-api');
  const reads = createValidatedReadCache(executor, {
    database: options.database,
    tables: API_CACHED_TABLES,
    maxEntries: options.readCacheEntries,
    maxRows: options.limits.maxRows + 1,
  });
  const app = createApp(
    {
      stores: {
        allocation: createAllocationStore(reads, store),
        cost: createCostStore(reads, store),
        audit: auditStore,
        quotas: createQuotaStore(reads, store),
        budgets: createBudgetStore(executor, store),
        budgetSpends: (budgets, atMs) => budgetSpends({ executor, ...store, ...options.pricing }, budgets, atMs),
        alerts: createAlertStore(executor, store),
        recommendations: createRecommendationStore(executor, store),
        hints: (nowMs, alerts) =>
          readNodeHints(
            { executor, ...store, ...options.pricing, windowMs: HINT_WINDOW_MS, staleAfterMs: HINT_STALE_MS },
            nowMs,
            alerts,
          ),
        ping: () => pingStore(executor),
      },
      tokens,
      oidc: options.oidc === null ? null : createOidcVerifier(options.oidc, options.roles),
      audit,
      metrics: createApiMetrics(prometheus.meter, () => audit.pending),
      scrape: prometheus.handleScrape,
      logger: deps.logger,
      now: deps.now,
    },
    options,
  );
  return {
    app,
    tokens,
    audit,
    async close(deadlineMs) {
      await audit.close(deadlineMs);
      await prometheus.close();
    },
  };
}
