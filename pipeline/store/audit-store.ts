/**
 * The API's audit log (migration 041): one row per request, reads included. Writes are batches from
 * the API's audit buffer (api/audit); a batch retried after a store hiccup collapses by request id.
 */
import type { SqlExecutor } from './executor.ts';
import { dateTime, ident, raw, sql, str, toEpochSeconds, uint, type SqlValue } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** One request as audited. tenant/team/namespace: the principal's scope ('*' / '' = not narrowed). */
export interface AuditRecord {
  readonly requestId: string;
  readonly atMs: number;
  readonly principal: string;
  /** token | oidc | anonymous */
  readonly principalKind: string;
  readonly role: string;
  readonly tenant: string;
  readonly team: string;
  readonly namespace: string;
  readonly method: string;
  /** The route's pattern (`/v1/allocation`), or the path when no route matched. */
  readonly route: string;
  readonly path: string;
  /** The request's query parameters as JSON. */
  readonly filters: string;
  readonly rows: number;
  readonly status: number;
  readonly durationMs: number;
  readonly clientIp: string;
}

export interface AuditQuery {
  readonly fromMs: number;
  readonly toMs: number;
  /** Only records of this tenant scope (null: all). */
  readonly tenant: string | null;
  readonly principal?: string;
  readonly route?: string;
  readonly status?: number;
  readonly limit: number;
}

export interface AuditStore {
  write(records: readonly AuditRecord[]): Promise<void>;
  /** Newest first, copies of a record counted once. */
  read(query: AuditQuery): Promise<AuditRecord[]>;
}

type Raw = Record<string, unknown>;

export function createAuditStore(executor: SqlExecutor, config: { readonly database: string }): AuditStore {
  const db = ident(config.database);
  return {
    async write(records) {
      await executor.insert(
        `${config.database}.audit_log`,
        records.map((r) => ({
          ts: toEpochSeconds(r.atMs),
          ts_ms: r.atMs,
          request_id: r.requestId,
          principal: r.principal,
          principal_kind: r.principalKind,
          role: r.role,
          tenant: r.tenant,
          team: r.team,
          namespace: r.namespace,
          method: r.method,
          route: r.route,
          path: r.path,
          filters: r.filters,
          rows: r.rows,
          status: r.status,
          duration_ms: r.durationMs,
          client_ip: r.clientIp,
        })),
      );
    },
    async read(q) {
      const and = (cond: SqlValue | null) => (cond === null ? raw(sql``) : raw(sql`AND ${cond}`));
      const rows = await executor.query<Raw>(sql`
        SELECT * FROM ${db}.audit_log
        WHERE ts >= ${dateTime(q.fromMs)} AND ts <= ${dateTime(q.toMs)} AND ts_ms >= ${uint(q.fromMs)} AND ts_ms < ${uint(q.toMs)}
          ${and(q.tenant === null ? null : raw(sql`tenant = ${str(q.tenant)}`))}
          ${and(q.principal === undefined ? null : raw(sql`principal = ${str(q.principal)}`))}
          ${and(q.route === undefined ? null : raw(sql`route = ${str(q.route)}`))}
          ${and(q.status === undefined ? null : raw(sql`status = ${uint(q.status)}`))}
        ORDER BY ts_ms DESC, request_id LIMIT 1 BY request_id LIMIT ${uint(q.limit)}`);
      return rows.map((r) => ({
        requestId: String(r['request_id']),
        atMs: toSafeNumber(r['ts_ms'], 'ts_ms'),
        principal: String(r['principal']),
        principalKind: String(r['principal_kind']),
        role: String(r['role']),
        tenant: String(r['tenant']),
        team: String(r['team']),
        namespace: String(r['namespace']),
        method: String(r['method']),
        route: String(r['route']),
        path: String(r['path']),
        filters: String(r['filters']),
        rows: Number(r['rows']),
        status: Number(r['status']),
        durationMs: Number(r['duration_ms']),
        clientIp: String(r['client_ip']),
      }));
    },
  };
}
