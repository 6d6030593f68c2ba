/**
 * The audit log's write path: records are buffered in memory and written to the store in batches.
 * When the store hiccups, the batch stays in the buffer and is retried with backoff; it is never
 * dropped. The buffer is bounded: once `maxPending` records wait, `admit()` says no and the API
 * refuses requests (503) rather than serve them unaudited. On close, what the store will not take
 * within the deadline is appended to a local file (`spoolPath`) and read back at the next start.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { AuditRecord } from '../../pipeline/store/audit-store.ts';

export interface AuditBufferOptions {
  readonly write: (records: readonly AuditRecord[]) => Promise<void>;
  readonly maxPending: number;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxBackoffMs: number;
  /** Where records the store did not take by close() are kept for the next start; null: nowhere (tests). */
  readonly spoolPath: string | null;
  readonly logger: Logger;
}

export interface AuditBuffer {
  /** Whether a new request may be served (fewer than maxPending records wait). */
  admit(): boolean;
  /** Buffers a record of an admitted request (never refused: admission bounded the buffer). */
  record(record: AuditRecord): void;
  readonly pending: number;
  /** Writes everything buffered now (one pass; a failure leaves the records buffered and rethrows). */
  flush(): Promise<void>;
  /** Stops the timer, flushes within `deadlineMs`, spools what is left. */
  close(deadlineMs: number): Promise<void>;
}

export function createAuditBuffer(o: AuditBufferOptions): AuditBuffer {
  let queue: AuditRecord[] = [];
  if (o.spoolPath !== null && existsSync(o.spoolPath)) {
    queue = readFileSync(o.spoolPath, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as AuditRecord);
    rmSync(o.spoolPath);
    o.logger.info({ records: queue.length }, 'audit: records spooled at the last stop will be written');
  }
  let inFlight: Promise<void> | null = null;
  let failures = 0;
  let nextTryAt = 0;
  let closed = false;

  const writeSome = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, o.batchSize);
      await o.write(batch);
      queue = queue.slice(batch.length);
    }
  };
  const flushOnce = (): Promise<void> => {
    inFlight ??= writeSome()
      .then(() => {
        if (failures > 0) o.logger.warn({ failures }, 'audit: store writes resumed');
        failures = 0;
      })
      .catch((error: unknown) => {
        failures += 1;
        nextTryAt = Date.now() + Math.min(o.maxBackoffMs, 100 * 2 ** failures) * (0.5 + Math.random() / 2);
        o.logger.warn({ err: error, pending: queue.length, failures }, 'audit: store write failed; records kept');
        throw error;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  const timer = setInterval(() => {
    if (queue.length > 0 && inFlight === null && Date.now() >= nextTryAt) flushOnce().catch(() => undefined);
  }, o.flushIntervalMs);
  timer.unref();

  return {
    admit: () => !closed && queue.length < o.maxPending,
    record(record) {
      queue.push(record);
      if (queue.length >= o.batchSize && inFlight === null && Date.now() >= nextTryAt)
        flushOnce().catch(() => undefined);
    },
    get pending() {
      return queue.length;
    },
    async flush() {
      if (inFlight) await inFlight.catch(() => undefined);
      await flushOnce();
    },
    async close(deadlineMs) {
      closed = true;
      clearInterval(timer);
      const deadline = Date.now() + deadlineMs;
      while (queue.length > 0 && Date.now() < deadline) {
        const left = deadline - Date.now();
        const attempt = flushOnce().then(
          () => true,
          () => false,
        );
        const ok = await Promise.race([attempt, new Promise<false>((r) => setTimeout(() => r(false), left).unref())]);
        if (!ok) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
      }
      if (queue.length > 0 && o.spoolPath !== null) {
        mkdirSync(dirname(o.spoolPath), { recursive: true });
        appendFileSync(o.spoolPath, queue.map((r) => JSON.stringify(r)).join('\n') + '\n');
        o.logger.warn(
          { records: queue.length, path: o.spoolPath },
          'audit: store unreachable at stop; records spooled',
        );
        queue = [];
      } else if (queue.length > 0) {
        o.logger.error({ records: queue.length }, 'audit: store unreachable at stop and no spool path');
      }
    },
  };
}
