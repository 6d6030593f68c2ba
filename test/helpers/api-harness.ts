/**
 * An API of the tests' own on an ephemeral port over a real store (chDB or the ClickHouse server),
 * with a client whose every response is checked against the API's OpenAPI document.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApi, type Api, type ApiOptions } from '../../api/create-api.ts';
import { BUILT_IN_ROLES } from '../../api/auth/permissions.ts';
import { DEFAULT_COST_CONFIG } from '../../pipeline/cost/cost-config.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import type { LedgerScope } from '../../pipeline/store/ledger-filter.ts';
import { createOpenApiChecker } from './openapi-check.ts';
import { testLogger } from './services.ts';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export interface ApiHarness {
  readonly api: Api;
  readonly url: string;
  get<T = Record<string, unknown>>(path: string, token?: string): Promise<ApiResponse<T>>;
  send<T = Record<string, unknown>>(
    method: string,
    path: string,
    token: string | undefined,
    body: unknown,
  ): Promise<ApiResponse<T>>;
  /** Creates a token of a built-in or custom role for a scope (tenant null: every tenant). */
  token(role: string, scope?: Partial<LedgerScope>): Promise<string>;
  close(): Promise<void>;
}

export const testApiOptions = (database: string, over: Partial<ApiOptions> = {}): ApiOptions => ({
  database,
  roles: BUILT_IN_ROLES,
  oidc: null,
  tokenCacheMs: 0,
  readCacheEntries: 256,
  audit: { maxPending: 100_000, flushIntervalMs: 50, spoolPath: null },
  limits: { maxWindowHours: 24 * 400, maxRows: 5000 },
  rateLimit: { windowMs: 60_000, max: 1_000_000 },
  corsOrigins: [],
  focus: { billingAccountId: 'acct-test', billingAccountName: 'Test' },
  version: 'test',
  pricing: { prices: createPriceLookup(loadPriceCatalog()), cost: DEFAULT_COST_CONFIG },
  ...over,
});

export async function startApi(
  executor: SqlExecutor,
  options: ApiOptions,
  now: () => number = Date.now,
  auditExecutor?: SqlExecutor,
): Promise<ApiHarness> {
  const api = createApi(executor, options, {
    logger: testLogger('api'),
    now,
    ...(auditExecutor === undefined ? {} : { auditExecutor }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = api.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const doc: unknown = await (await fetch(`${url}/openapi.json`)).json();
  const check = createOpenApiChecker(doc);
  const call = async <T>(method: string, path: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const parsed: unknown = type.startsWith('application/json') ? JSON.parse(text) : text;
    check(method, path, res.status, type, parsed);
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  };
  return {
    api,
    url,
    get: (path, token) => call('GET', path, token),
    send: (method, path, token, body) => call(method, path, token, body),
    async token(role, scope = {}) {
      const { token } = await api.tokens.create({
        name: `test ${role}`,
        role,
        scope: { tenant: null, team: null, namespace: null, ...scope },
        expiresAtMs: 0,
        createdBy: 'test',
      });
      return token;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await api.close(5000);
    },
  };
}
