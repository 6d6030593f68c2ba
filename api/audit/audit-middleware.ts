import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError, ApiErrorCode } from '../errors.ts';
import { scopeLabels, type Principal } from '../auth/principal.ts';
import type { AuditBuffer } from './audit-buffer.ts';

const MAX_FILTERS_CHARS = 4000;

/**
 * Audits every request that passes it, reads included: who (principal, role, scope), which route and
 * filters, how many rows, the status and the time. A request is admitted only while the audit buffer
 * has room; otherwise it is refused (503) before anything is read.
 */
export const auditRequests =
  (
    audit: AuditBuffer,
    now: () => number,
    onDone: (route: string, method: string, status: number, ms: number) => void,
  ): RequestHandler =>
  (req, res, next) => {
    if (!audit.admit()) {
      next(new ApiError(ApiErrorCode.auditUnavailable, 'the audit log cannot be written now; try again shortly'));
      return;
    }
    const startedAt = now();
    const started = performance.now();
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const principal = res.locals['principal'] as Principal | undefined;
      const route = typeof res.locals['route'] === 'string' ? res.locals['route'] : req.path;
      const status = res.writableFinished ? res.statusCode : 499;
      const durationMs = performance.now() - started;
      const filters = JSON.stringify({ ...(req.query as Record<string, unknown>), ...req.params });
      audit.record({
        requestId,
        atMs: startedAt,
        principal: principal?.id ?? 'anonymous',
        principalKind: principal?.kind ?? 'anonymous',
        role: principal?.role.name ?? '',
        ...(principal ? scopeLabels(principal.scope) : { tenant: '', team: '', namespace: '' }),
        method: req.method,
        route,
        path: req.path.slice(0, 1000),
        filters:
          filters.length > MAX_FILTERS_CHARS
            ? JSON.stringify({ truncated: filters.slice(0, MAX_FILTERS_CHARS) })
            : filters,
        rows: typeof res.locals['rows'] === 'number' ? res.locals['rows'] : 0,
        status,
        durationMs,
        clientIp: req.ip ?? '',
      });
      onDone(route, req.method, status, durationMs);
    };
    res.on('finish', record);
    res.on('close', record);
    next();
  };
