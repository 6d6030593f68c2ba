import { createNoopMeter, type Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { ConfigError } from '../../contracts/config-error.ts';
import type { OutgoingRecord, RecordSink } from '../../contracts/bus.ts';
import { createSpoolMetrics, type SpoolCounts } from './spool-metrics.ts';
import { openSpoolLog, type FsyncPolicy, type PendingEntry, type SpoolLogStats } from './spool-log.ts';

export interface SpoolingSinkConfig {
  /** Directory of the segment files; survives the process (one agent per directory). */
  readonly dir: string;
  /** Bound on the spool's disk use; past it the OLDEST entries are evicted and counted. */
  readonly maxBytes: number;
  readonly fsync: FsyncPolicy;
  /** For fsync `interval`. Default 1000. */
  readonly fsyncIntervalMs?: number;
  /** Segment file size; eviction removes whole segments. Default maxBytes/16 within 64 KiB..16 MiB; at most maxBytes/2. */
  readonly segmentBytes?: number;
  /**
   * Largest entry (one `send`) accepted; a bigger one is refused with an error and nothing else is
   * lost. Default min(segmentBytes, 900 KiB): below Kafka's default 1 MiB message.max.bytes, so a
   * spooled entry can never be one Kafka refuses forever.
   */
  readonly maxEntryBytes?: number;
  /** Bytes of spooled entries handed to the inner sink per send while replaying. Default 512 KiB (half Kafka's default 1 MiB message.max.bytes, which bounds one produce batch). */
  readonly maxSendBytes?: number;
  /** An inner send that has not settled by then counts as failed and is retried. Default 30 s. */
  readonly sendTimeoutMs?: number;
  /** Backoff between failed sends: doubling from `retryInitialMs` to `retryMaxMs`, with jitter. Defaults 200 ms, 5 s. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** How long `close` keeps delivering the backlog before leaving the rest on disk. Default 5 s. */
  readonly closeTimeoutMs?: number;
  /** Default 200 ms. */
  readonly cursorFlushMs?: number;
  /**
   * While the spool is caught up, deliveries start at least this far apart, so the sends of that
   * time reach the inner sink together (one Kafka request for several agent ticks: less CPU) and
   * up to this much later. A backlog is still sent window after window. Default 0: at once.
   */
  readonly sendIntervalMs?: number;
}

export interface SpoolingSinkDeps {
  readonly logger: Logger;
  readonly now: () => number;
  readonly meter?: Meter;
}

export interface SpoolingSinkStats extends SpoolLogStats, SpoolCounts {
  readonly evictedEntries: number;
  /** Failed inner sends in a row (0 while Kafka acknowledges). */
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly lastDeliveredAtMs: number | null;
}

/** A RecordSink whose `send` returns once the records are in the spool; delivery happens behind it. */
export interface SpoolingSink extends RecordSink {
  stats(): SpoolingSinkStats;
}

function validate(c: SpoolingSinkConfig): Required<SpoolingSinkConfig> {
  const segmentBytes = c.segmentBytes ?? Math.min(16 * 2 ** 20, Math.max(64 * 1024, Math.floor(c.maxBytes / 16)));
  const maxEntryBytes = c.maxEntryBytes ?? Math.min(segmentBytes, 900 * 1024);
  const defaults = {
    fsyncIntervalMs: 1000,
    maxSendBytes: 512 * 1024,
    sendTimeoutMs: 30_000,
    retryInitialMs: 200,
    retryMaxMs: 5000,
    closeTimeoutMs: 5000,
    cursorFlushMs: 200,
    sendIntervalMs: 0,
  };
  const full = { ...defaults, ...c, segmentBytes, maxEntryBytes };
  const problems: string[] = [];
  if (!Number.isSafeInteger(full.maxBytes) || full.maxBytes < 2 * segmentBytes)
    problems.push(
      `spool maxBytes must be an integer of at least 2 segments (${2 * segmentBytes}), got ${full.maxBytes}`,
    );
  for (const k of [
    'fsyncIntervalMs',
    'maxSendBytes',
    'sendTimeoutMs',
    'retryInitialMs',
    'retryMaxMs',
    'closeTimeoutMs',
    'cursorFlushMs',
    'segmentBytes',
    'maxEntryBytes',
  ] as const) {
    if (!(full[k] > 0)) problems.push(`spool ${k} must be positive, got ${full[k]}`);
  }
  if (!(full.sendIntervalMs >= 0)) problems.push(`spool sendIntervalMs must be 0 or more, got ${full.sendIntervalMs}`);
  if (maxEntryBytes > segmentBytes)
    problems.push(`spool maxEntryBytes (${maxEntryBytes}) must not exceed segmentBytes (${segmentBytes})`);
  if (!['always', 'interval', 'never'].includes(full.fsync))
    problems.push(`spool fsync must be always, interval or never, got "${String(full.fsync)}"`);
  if (problems.length > 0) throw new ConfigError(problems);
  return full;
}

const EVICTION_LOG_EVERY_MS = 60_000;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Write-ahead spool in front of a RecordSink (Kafka): see README.md in this folder. `send` appends
 * to the on-disk spool and returns; one background drainer hands the oldest entries to `inner`
 * in order, acknowledges them in the spool once `inner` accepted them, and backs off while it
 * fails. Entries left by an earlier process are delivered first. The inner sink stays the caller's
 * to close.
 */
export async function createSpoolingSink(
  inner: RecordSink,
  config: SpoolingSinkConfig,
  deps: SpoolingSinkDeps,
): Promise<SpoolingSink> {
  const c = validate(config);
  const logger = deps.logger;
  const log = await openSpoolLog(
    {
      dir: c.dir,
      maxBytes: c.maxBytes,
      segmentBytes: c.segmentBytes,
      maxEntryBytes: c.maxEntryBytes,
      fsync: c.fsync,
      fsyncIntervalMs: c.fsyncIntervalMs,
      cursorFlushMs: c.cursorFlushMs,
    },
    logger,
  );
  if (log.recovery.entries > 0 || log.recovery.tornTails > 0)
    logger.info({ dir: c.dir, ...log.recovery }, 'spool recovered a backlog from an earlier run');
  const totals = { evictedEntries: 0, evictedRecords: 0, replayedRecords: 0, deliveredRecords: 0, corruptEntries: 0 };
  let consecutiveFailures = 0;
  let lastError: string | null = null;
  let lastDeliveredAtMs: number | null = null;
  /** Set by a failed send or a recovered backlog; cleared when the spool is empty again. */
  let replaying = log.recovery.entries > 0;
  const stats = (): SpoolingSinkStats => ({
    ...log.stats(),
    ...totals,
    maxBytes: c.maxBytes,
    tornTails: log.recovery.tornTails,
    consecutiveFailures,
    lastError,
    lastDeliveredAtMs,
  });
  const metrics = createSpoolMetrics(deps.meter ?? createNoopMeter(), stats);

  let lastEvictionLogMs = -Infinity;
  let closing = false;
  let stopped = false;
  /** Ends the drainer's current wait; an append ends only an idle wait, never a backoff (close ends both). */
  let wake: { readonly idle: boolean; readonly end: () => void } | null = null;
  const nudge = (evenBackoff = false) => {
    if (wake && (wake.idle || evenBackoff)) wake.end();
  };
  const pause = (ms: number, idle: boolean) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => ((wake = null), resolve()), ms).unref(); // a waiting drainer keeps no process alive
      wake = { idle, end: () => ((wake = null), clearTimeout(t), resolve()) };
    });
  const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> => {
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<never>(
      (_, reject) => (t = setTimeout(() => reject(new Error(`send not acknowledged within ${ms} ms`)), ms)),
    );
    return Promise.race([p, late]).finally(() => clearTimeout(t));
  };

  /** Sends a window's records per topic (first-appearance order), skipping topics already sent in an earlier try. */
  const deliver = async (window: readonly PendingEntry[], done: Set<string>) => {
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const p of window)
      if (p.entry) byTopic.set(p.entry.topic, [...(byTopic.get(p.entry.topic) ?? []), ...p.entry.records]);
    for (const [topic, records] of byTopic) {
      if (done.has(topic)) continue;
      const started = performance.now();
      let ok = false;
      try {
        await withTimeout(inner.send(topic, records), c.sendTimeoutMs);
        ok = true;
      } finally {
        metrics.sent(topic, performance.now() - started, ok);
      }
      done.add(topic);
    }
  };

  const drain = async () => {
    let window: PendingEntry[] = [];
    let done = new Set<string>();
    let evictedSeen = totals.evictedEntries;
    while (!stopped) {
      if (window.length === 0 || evictedSeen !== totals.evictedEntries) {
        [window, done, evictedSeen] = [await log.peek(c.maxSendBytes), new Set(), totals.evictedEntries];
      }
      if (window.length === 0) {
        replaying = false;
        if (closing) return;
        await pause(60_000, true);
        const gather = c.sendIntervalMs - (deps.now() - (lastDeliveredAtMs ?? -Infinity)); // appends meanwhile go in the same window
        if (gather > 0 && !closing) await pause(gather, false);
        continue;
      }
      try {
        await deliver(window, done);
      } catch (error) {
        consecutiveFailures++;
        lastError = message(error);
        if (consecutiveFailures === 1)
          logger.warn(
            { err: error, backlogRecords: log.stats().pendingRecords },
            'send failed; spooling until Kafka is back',
          );
        replaying = true;
        const backoff = Math.min(c.retryMaxMs, c.retryInitialMs * 2 ** Math.min(consecutiveFailures - 1, 20));
        if (!stopped) await pause(backoff / 2 + Math.random() * (backoff / 2), false);
        continue;
      }
      if (stopped) return; // close gave up waiting for this window: it stays in the spool for the next run
      // counted before the ack, so that no reader sees the spool empty while a delivery is uncounted
      const corrupt = window.filter((p) => !p.entry).length;
      if (corrupt > 0) logger.warn({ corrupt }, 'spool entries failed their checksum when read back; skipped');
      const records = window.reduce((n, p) => n + (p.entry ? p.records : 0), 0);
      totals.corruptEntries += corrupt;
      totals.deliveredRecords += records;
      if (replaying || window.some((p) => p.recovered)) totals.replayedRecords += records;
      lastDeliveredAtMs = deps.now();
      if (consecutiveFailures > 0)
        logger.info(
          { failures: consecutiveFailures, backlogRecords: log.stats().pendingRecords },
          'send succeeded again; replaying the spool',
        );
      consecutiveFailures = 0;
      const last = window.at(-1)!.position;
      window = [];
      await log
        .ack(last)
        .catch((error: unknown) =>
          logger.error({ err: error }, 'spool acknowledgement failed; the entries may be sent again'),
        );
    }
  };
  const drained = drain().catch((error: unknown) => logger.error({ err: error }, 'spool drainer stopped'));

  return {
    stats,
    async send(topic, records) {
      if (records.length === 0) return;
      if (closing) throw new Error('spooling sink is closed');
      const started = performance.now();
      const { evictedEntries, evictedRecords } = await log.append({ topic, records, spooledAtMs: deps.now() });
      metrics.appended(performance.now() - started);
      if (evictedEntries > 0) {
        totals.evictedEntries += evictedEntries;
        totals.evictedRecords += evictedRecords;
        if (deps.now() - lastEvictionLogMs >= EVICTION_LOG_EVERY_MS) {
          lastEvictionLogMs = deps.now();
          logger.warn(
            { evictedRecordsTotal: totals.evictedRecords, maxBytes: c.maxBytes },
            'spool full: evicting the oldest entries (logged at most once a minute)',
          );
        }
      }
      nudge();
    },
    async close() {
      if (closing) return;
      closing = true;
      nudge(true); // one more try now: Kafka may be back
      let deadline: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise<void>((resolve) => (deadline = setTimeout(resolve, c.closeTimeoutMs)))]);
      clearTimeout(deadline);
      stopped = true;
      nudge(true);
      await log.close();
      metrics.close();
      const left = log.stats();
      if (left.pendingRecords > 0)
        logger.warn(
          { pendingRecords: left.pendingRecords, dir: c.dir },
          'spool closed with undelivered records; the next run replays them',
        );
    },
  };
}
