/**
 * The alert outbox (migration 032): notifications waiting for a receiver. A notification is written
 * once when the rule job raises it, then once more per delivery attempt (a new version with the
 * attempt count, the next attempt's time, the error, or the delivery time). Reads take the latest
 * version per notification.
 */
import type { SqlExecutor } from './executor.ts';
import { date, ident, raw, sql, str, toUtcDate, uint } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

export interface OutboxEntry {
  readonly receiver: string;
  readonly createdAtMs: number;
  /** Alert id + state: one transition of one incident. */
  readonly notificationId: string;
  readonly fingerprint: string;
  readonly state: string;
  /** The contracts Alert as JSON. */
  readonly payload: string;
  readonly attempts: number;
  readonly nextAttemptAtMs: number;
  /** 0 until delivered. */
  readonly deliveredAtMs: number;
  readonly lastError: string;
  readonly version: number;
}

export interface OutboxCounts {
  readonly receiver: string;
  readonly pending: number;
  readonly delivered: number;
  readonly failedAttempts: number;
}

export interface OutboxStore {
  /** New entries, or new versions of entries (the caller raises `version`). */
  write(entries: readonly OutboxEntry[]): Promise<void>;
  /** Undelivered entries of a receiver created since `sinceMs`, due at `nowMs`, oldest first. */
  due(receiver: string, nowMs: number, sinceMs: number, limit: number): Promise<OutboxEntry[]>;
  /** Per receiver: undelivered, delivered, and attempts that failed, over entries created since `sinceMs`. */
  counts(sinceMs: number): Promise<OutboxCounts[]>;
}

type Raw = Record<string, unknown>;
const n = (v: unknown, what: string) => toSafeNumber(v, what);

export function createOutboxStore(executor: SqlExecutor, config: { readonly database: string }): OutboxStore {
  const db = ident(config.database);
  const latest = (sinceMs: number, receiver: string | null) =>
    raw(sql`
      SELECT * FROM ${db}.alert_outbox
      WHERE created_date >= ${date(sinceMs)} AND created_at_ms >= ${uint(sinceMs)}
        ${receiver === null ? raw(sql``) : raw(sql`AND receiver = ${str(receiver)}`)}
      ORDER BY receiver, created_at_ms, notification_id, version DESC
      LIMIT 1 BY receiver, created_at_ms, notification_id`);
  return {
    write: (entries) =>
      executor.insert(
        `${config.database}.alert_outbox`,
        entries.map((e) => ({
          created_date: toUtcDate(e.createdAtMs),
          receiver: e.receiver,
          created_at_ms: e.createdAtMs,
          notification_id: e.notificationId,
          fingerprint: e.fingerprint,
          state: e.state,
          payload: e.payload,
          attempts: e.attempts,
          next_attempt_at_ms: e.nextAttemptAtMs,
          delivered_at_ms: e.deliveredAtMs,
          last_error: e.lastError,
          version: e.version,
        })),
      ),

    async due(receiver, nowMs, sinceMs, limit) {
      const rows = await executor.query<Raw>(sql`
        SELECT * FROM (${latest(sinceMs, receiver)})
        WHERE delivered_at_ms = 0 AND next_attempt_at_ms <= ${uint(nowMs)}
        ORDER BY created_at_ms, notification_id
        LIMIT ${uint(limit)}`);
      return rows.map((r) => ({
        receiver: String(r['receiver']),
        createdAtMs: n(r['created_at_ms'], 'created_at_ms'),
        notificationId: String(r['notification_id']),
        fingerprint: String(r['fingerprint']),
        state: String(r['state']),
        payload: String(r['payload']),
        attempts: Number(r['attempts']),
        nextAttemptAtMs: n(r['next_attempt_at_ms'], 'next_attempt_at_ms'),
        deliveredAtMs: n(r['delivered_at_ms'], 'delivered_at_ms'),
        lastError: String(r['last_error']),
        version: n(r['version'], 'version'),
      }));
    },

    async counts(sinceMs) {
      const rows = await executor.query<Raw>(sql`
        SELECT receiver, countIf(delivered_at_ms = 0) AS pending, countIf(delivered_at_ms > 0) AS delivered,
               sum(attempts) - countIf(delivered_at_ms > 0) AS failed
        FROM (${latest(sinceMs, null)})
        GROUP BY receiver ORDER BY receiver`);
      return rows.map((r) => ({
        receiver: String(r['receiver']),
        pending: n(r['pending'], 'pending'),
        delivered: n(r['delivered'], 'delivered'),
        failedAttempts: Number(r['failed']),
      }));
    },
  };
}
