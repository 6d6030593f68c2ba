/** GET /v1/export/focus: the ledger rows of a window as a FinOps FOCUS 1.2 CSV (focus-export.ts), scoped. */
import { z } from 'zod';
import { toFocusCsv, type FocusExportOptions } from '../../pipeline/cost/focus-export.ts';
import { ApiError, ApiErrorCode } from '../errors.ts';
import { defineRoute, type ApiRoute } from './route.ts';
import { parseWindowParam, windowParam } from './window-param.ts';

export const exportFocusRoute = (focus: FocusExportOptions): ApiRoute =>
  defineRoute({
    method: 'get',
    paths: ['/v1/export/focus'],
    permission: 'export:read',
    summary: 'the cost ledger rows of a window as a FinOps FOCUS 1.2 CSV',
    query: z.strictObject({ window: windowParam }),
    params: z.object({}),
    body: z.unknown(),
    response: z.string().describe('FOCUS 1.2 CSV, one row per ledger row'),
    contentType: 'text/csv',
    async handle({ query }, ctx) {
      const range = parseWindowParam(query.window, ctx.now(), ctx.limits);
      const rows = range.toMs > range.fromMs ? await ctx.stores.ledgerRows(range, ctx.limits.maxRows + 1) : [];
      if (rows.length > ctx.limits.maxRows)
        throw new ApiError(
          ApiErrorCode.resultTooLarge,
          `more than ${ctx.limits.maxRows} ledger rows: narrow the window`,
        );
      try {
        return { rows: rows.length, body: toFocusCsv(rows, focus) };
      } catch (error) {
        if (error instanceof RangeError) throw new ApiError(ApiErrorCode.invalidRequest, error.message, 'window');
        throw error;
      }
    },
  });
