/**
 * A route is one small module: its path(s), the permission it needs, zod schemas for its query,
 * path parameters and body (they validate the request and make the OpenAPI document), the schema
 * of its 200 response, and a handler that gets the parsed input and the caller's scoped stores.
 * Routes are registered in one plain map (routes/index.ts).
 */
import type { z } from 'zod';
import type { Permission } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';
import type { ScopedStores } from '../auth/scope.ts';

export interface ApiLimits {
  /** Longest window a query may cover, in hours. */
  readonly maxWindowHours: number;
  /** Most rows (allocations, ledger rows, audit records) one response may hold. */
  readonly maxRows: number;
}

export interface RouteContext {
  readonly principal: Principal;
  readonly stores: ScopedStores;
  readonly now: () => number;
  readonly limits: ApiLimits;
}

export interface RouteResult {
  /** JSON body, or text with `contentType`. */
  readonly body: unknown;
  /** Rows returned, for the audit log. */
  readonly rows: number;
  readonly status?: number;
}

type AnyObject = z.ZodObject;

export interface ApiRoute<
  Q extends AnyObject = AnyObject,
  P extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
> {
  readonly method: 'get' | 'put' | 'post' | 'delete';
  /** Express paths (`/v1/quotas/:tenant`); the first is the canonical one. */
  readonly paths: readonly string[];
  readonly permission: Permission;
  readonly summary: string;
  readonly query?: Q;
  readonly params?: P;
  readonly body?: B;
  readonly response: z.ZodType;
  /** Default application/json; text routes return a string body. */
  readonly contentType?: 'application/json' | 'text/csv';
  handle(
    input: { query: z.output<Q>; params: z.output<P>; body: z.output<B> },
    ctx: RouteContext,
  ): Promise<RouteResult>;
}

/** Keeps each route's types while the map holds them side by side. */
export const defineRoute = <Q extends AnyObject, P extends AnyObject, B extends z.ZodType>(
  route: ApiRoute<Q, P, B>,
): ApiRoute => route;
