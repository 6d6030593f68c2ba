/**
 * The API as an Express app (no listen: cli/commands/api.ts serves it). Order: security headers,
 * optional CORS, health, the OpenAPI document and the web console's page and assets (open: no data), then the audit (every request from here on
 * is recorded, or refused when the audit log is unavailable), authentication, the per-token rate
 * limit, /metrics, the data routes of the route map, and one error middleware that turns every error
 * into `{ code, message, field? }` without a stack.
 */
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { FocusExportOptions } from '../pipeline/cost/focus-export.ts';
import { StoreUnavailableError } from '../pipeline/store/errors.ts';
import type { AuditBuffer } from './audit/audit-buffer.ts';
import { auditRequests } from './audit/audit-middleware.ts';
import { consoleRouter } from './console/console-router.ts';
import { authenticate } from './auth/authenticate.ts';
import type { OidcVerifier } from './auth/oidc.ts';
import { requirePermission, type Principal } from './auth/principal.ts';
import { scopedStores } from './auth/scope.ts';
import type { TokenService } from './auth/tokens.ts';
import { ApiError, ApiErrorCode, invalid, STATUS_OF } from './errors.ts';
import { createOpenApiDocument } from './openapi.ts';
import { createRoutes } from './routes/index.ts';
import type { ApiLimits, ApiRoute } from './routes/route.ts';
import type { ApiMetrics } from './self-metrics.ts';
import type { ApiStores } from './stores.ts';

export interface ApiDeps {
  readonly stores: ApiStores;
  readonly tokens: TokenService;
  readonly oidc: OidcVerifier | null;
  readonly audit: AuditBuffer;
  readonly metrics: ApiMetrics;
  /** Answers a Prometheus scrape (the OTel exporter's handler). */
  readonly scrape: (req: Request, res: Response) => void;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface ApiConfig {
  readonly limits: ApiLimits;
  /** Requests per token per window. */
  readonly rateLimit: { readonly windowMs: number; readonly max: number };
  /** Origins allowed by CORS; empty: no CORS headers at all (the default). */
  readonly corsOrigins: readonly string[];
  readonly focus: FocusExportOptions;
  readonly version: string;
}

const principalOf = (res: Response): Principal => res.locals['principal'] as Principal;

/** Parses one part of a request; a 400 naming the first field at fault. */
const parsePart = <T extends z.ZodType>(schema: T | undefined, value: unknown, part: string): z.output<T> => {
  if (schema === undefined) return undefined as z.output<T>;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
  const field = [...(issue?.path ?? []), ...keys.slice(0, 1)].map(String).join('.') || part;
  throw invalid(
    field,
    issue?.code === 'unrecognized_keys' ? `is not a parameter of this route` : (issue?.message ?? 'invalid'),
  );
};

export function createApp(deps: ApiDeps, config: ApiConfig): Express {
  const routes = createRoutes(config.focus);
  const document = createOpenApiDocument(routes, config.version);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Helmet's defaults, but no upgrade-insecure-requests: the console served over plain HTTP on a
  // cluster address must load its script from where the page came.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  if (config.corsOrigins.length > 0)
    app.use(cors({ origin: [...config.corsOrigins], allowedHeaders: ['authorization', 'content-type'] }));

  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  app.get('/readyz', (_req, res) => {
    deps.stores.ping().then(
      () => {
        const ok = deps.audit.admit();
        res.status(ok ? 200 : 503).json({ ok, auditPending: deps.audit.pending, store: 'ok' });
      },
      (error: unknown) => {
        deps.logger.warn({ err: error }, 'readiness: store does not answer');
        res.status(503).json({ ok: false, auditPending: deps.audit.pending, store: 'unavailable' });
      },
    );
  });
  app.get('/openapi.json', (_req, res) => void res.json(document));
  app.use(consoleRouter((error) => deps.logger.error({ err: error }, 'console: the bundle did not build')));

  app.use(
    auditRequests(deps.audit, deps.now, (route, method, status, ms) => deps.metrics.request(route, method, status, ms)),
  );
  app.use(express.json({ limit: '64kb' }));
  app.use(authenticate(deps.tokens, deps.oidc));
  app.use(
    rateLimit({
      windowMs: config.rateLimit.windowMs,
      limit: config.rateLimit.max,
      keyGenerator: (_req, res) => principalOf(res).id,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      validate: false,
      handler: (_req, _res, next) =>
        next(new ApiError(ApiErrorCode.tooManyRequests, 'rate limit reached for this token')),
    }),
  );
  app.get('/metrics', (req, res) => {
    res.locals['route'] = '/metrics';
    requirePermission(principalOf(res), 'metrics:read');
    deps.scrape(req, res);
  });

  for (const route of Object.values(routes)) mountRoute(app, route, deps, config);

  app.use((req, _res, next) => next(new ApiError(ApiErrorCode.notFound, `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}

function mountRoute(app: Express, route: ApiRoute, deps: ApiDeps, config: ApiConfig): void {
  for (const path of route.paths) {
    app[route.method](path, async (req, res) => {
      res.locals['route'] = route.paths[0];
      const principal = principalOf(res);
      requirePermission(principal, route.permission);
      const input = {
        params: parsePart(route.params, req.params, 'params'),
        query: parsePart(route.query, req.query, 'query'),
        body: route.method === 'get' ? undefined : parsePart(route.body, req.body ?? {}, 'body'),
      };
      const result = await route.handle(input, {
        principal,
        stores: scopedStores(deps.stores, principal),
        now: deps.now,
        limits: config.limits,
      });
      res.locals['rows'] = result.rows;
      res.status(result.status ?? 200);
      if (route.contentType === 'text/csv') res.type('text/csv').send(result.body);
      else res.json(result.body);
    });
  }
}

const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (error: unknown, _req, res, _next) => {
    let e: ApiError;
    if (error instanceof ApiError) e = error;
    else if (error instanceof StoreUnavailableError)
      e = new ApiError(ApiErrorCode.storeUnavailable, 'the store does not answer now; try again shortly');
    else if (isBodyError(error))
      e = invalid('body', error.type === 'entity.too.large' ? 'is too large' : 'is not valid JSON');
    else e = new ApiError(ApiErrorCode.internal, 'internal error');
    if (e.code === ApiErrorCode.internal || e.code === ApiErrorCode.storeUnavailable)
      logger.error({ err: error }, 'API request failed');
    if (res.headersSent) return void res.end();
    res.status(STATUS_OF[e.code]).json({ code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
  };

const isBodyError = (e: unknown): e is { type: string } =>
  typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string' && 'status' in e;
