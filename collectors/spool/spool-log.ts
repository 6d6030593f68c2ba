import { mkdir, open, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { checkFrameAt, decodeFrame, encodeFrame, type FrameRef, type SpoolEntry } from './frame.ts';
import { CURSOR_FILE, recoverSegments, segmentPath, type RecoveryReport, type Segment } from './spool-recovery.ts';

export const FSYNC_POLICIES = { always: 'always', interval: 'interval', never: 'never' } as const;
export type FsyncPolicy = (typeof FSYNC_POLICIES)[keyof typeof FSYNC_POLICIES];

export interface SpoolLogConfig {
  readonly dir: string;
  /** Bound on the bytes of all segment files together; the oldest segments are evicted to stay within it. */
  readonly maxBytes: number;
  /** A segment is closed and a new one started past this size; eviction removes whole segments. */
  readonly segmentBytes: number;
  /** Largest entry accepted (at most segmentBytes); a bigger one is refused with an error, nothing else lost. */
  readonly maxEntryBytes: number;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  /** The delivered-up-to cursor is written at most this often (a stale cursor only means duplicates). */
  readonly cursorFlushMs: number;
}

/** Where an entry lies; opaque to callers, handed back to `ack`. */
export interface EntryPosition {
  readonly segment: object;
  readonly index: number;
}

export interface PendingEntry {
  /** null: the frame's bytes changed on disk since they were written (the caller counts and skips it). */
  readonly entry: SpoolEntry | null;
  readonly records: number;
  readonly position: EntryPosition;
  readonly recovered: boolean;
}

export interface SpoolLogStats {
  readonly pendingEntries: number;
  readonly pendingRecords: number;
  readonly pendingBytes: number;
  /** Bytes of all segment files, delivered entries of the current segment included. */
  readonly diskBytes: number;
  readonly segments: number;
}

/** The segment files of a spool dir: append at the tail, read and acknowledge at the head. */
export interface SpoolLog {
  /** Appends one entry, first evicting the oldest segments if the bound needs it. */
  append(entry: SpoolEntry): Promise<{ readonly evictedEntries: number; readonly evictedRecords: number }>;
  /** The oldest undelivered entries, at least one if there is any, about `maxBytes` in all. */
  peek(maxBytes: number): Promise<PendingEntry[]>;
  /** Marks everything up to and including `position` delivered; drained segments are deleted. */
  ack(position: EntryPosition): Promise<void>;
  stats(): SpoolLogStats;
  readonly recovery: RecoveryReport;
  /** Writes the cursor, syncs (unless fsync is `never`), closes files. Idempotent. */
  close(): Promise<void>;
}

const sumRecords = (frames: readonly FrameRef[]) => frames.reduce((n, f) => n + f.records, 0);
const sumBytes = (frames: readonly FrameRef[]) => frames.reduce((n, f) => n + f.bytes, 0);

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  await fh.sync().finally(() => fh.close());
}

/**
 * Opens (creating if needed) the spool in `config.dir`; see spool-recovery.ts for what happens to
 * an earlier process's segments. Every operation runs in one serial queue, so appends, reads at the
 * head and acknowledgements never interleave halfway.
 */
export async function openSpoolLog(config: SpoolLogConfig, logger: Logger): Promise<SpoolLog> {
  await mkdir(config.dir, { recursive: true });
  const recovered = await recoverSegments(config.dir, logger);
  const { segments, recovery } = recovered;
  let { head, nextId } = recovered;
  const backlog = segments.flatMap((s, i) => s.frames.slice(i === 0 ? head : 0));
  const pending = { entries: backlog.length, records: sumRecords(backlog), bytes: sumBytes(backlog) };
  const forget = (frames: readonly FrameRef[]) => {
    pending.entries -= frames.length;
    pending.records -= sumRecords(frames);
    pending.bytes -= sumBytes(frames);
  };

  let active!: Segment;
  let activeFile!: FileHandle;
  const startSegment = async () => {
    active = { id: nextId, path: segmentPath(config.dir, nextId), bytes: 0, frames: [], recovered: false };
    nextId++;
    activeFile = await open(active.path, 'wx+');
    if (config.fsync !== 'never') await syncDir(config.dir); // the new file's name survives a power loss
    segments.push(active);
  };
  await startSegment();

  let closed = false;
  let dirty = false;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const diskBytes = () => segments.reduce((n, s) => n + s.bytes, 0);
  const dropHead = async () => {
    const s = segments.shift()!;
    const gone = s.frames.slice(head);
    forget(gone);
    head = 0;
    await unlink(s.path);
    return gone;
  };
  const writeCursor = async () => {
    const s = segments[0]!;
    const tmp = join(config.dir, `${CURSOR_FILE}.tmp`);
    await writeFile(tmp, JSON.stringify({ segmentId: s.id, offset: s.frames[head]?.offset ?? s.bytes }));
    await rename(tmp, join(config.dir, CURSOR_FILE));
  };
  let cursorTimer: NodeJS.Timeout | null = null;
  const cursorSoon = () => {
    cursorTimer ??= setTimeout(() => {
      cursorTimer = null;
      if (!closed)
        serial(writeCursor).catch((error: unknown) => logger.warn({ err: error }, 'spool cursor write failed'));
    }, config.cursorFlushMs).unref();
  };
  const syncTimer =
    config.fsync === 'interval'
      ? setInterval(() => {
          if (!dirty || closed) return;
          dirty = false;
          serial(() => activeFile.datasync()).catch((error: unknown) =>
            logger.warn({ err: error }, 'spool fsync failed'),
          );
        }, config.fsyncIntervalMs).unref()
      : null;

  const readFrames = async (s: Segment, from: number, to: number, out: PendingEntry[]) => {
    const start = s.frames[from]!.offset;
    const buf = Buffer.allocUnsafe(sumBytes(s.frames.slice(from, to)));
    const fh = s === active ? activeFile : await open(s.path, 'r');
    try {
      await fh.read(buf, 0, buf.length, start);
    } finally {
      if (s !== active) await fh.close();
    }
    for (let k = from; k < to; k++) {
      const f = s.frames[k]!;
      const slice = buf.subarray(f.offset - start, f.offset - start + f.bytes);
      let entry: SpoolEntry | null = null;
      try {
        entry = checkFrameAt(slice, 0) ? decodeFrame(slice) : null;
      } catch {
        entry = null;
      }
      out.push({ entry, records: f.records, position: { segment: s, index: k }, recovered: s.recovered });
    }
  };

  return {
    recovery,
    append: (entry) =>
      serial(async () => {
        if (closed) throw new Error('spool is closed');
        const frame = encodeFrame(entry);
        if (frame.length > config.maxEntryBytes)
          throw new Error(
            `spool entry of ${frame.length} bytes exceeds the limit of ${config.maxEntryBytes}; not spooled`,
          );
        if (active.frames.length > 0 && active.bytes + frame.length > config.segmentBytes) {
          if (config.fsync !== 'never') await activeFile.datasync();
          await activeFile.close();
          await startSegment();
        }
        const evicted: FrameRef[] = [];
        while (diskBytes() + frame.length > config.maxBytes && segments.length > 1) evicted.push(...(await dropHead()));
        if (evicted.length > 0) cursorSoon();
        try {
          const { bytesWritten } = await activeFile.write(frame, 0, frame.length, active.bytes);
          if (bytesWritten !== frame.length)
            throw new Error(`short spool write: ${bytesWritten} of ${frame.length} bytes`);
          if (config.fsync === 'always') await activeFile.datasync();
        } catch (error) {
          await activeFile.truncate(active.bytes).catch(() => undefined); // leave no torn frame behind
          throw error;
        }
        const ref = { offset: active.bytes, bytes: frame.length, records: entry.records.length };
        active.frames.push(ref);
        active.bytes += frame.length;
        pending.entries += 1;
        pending.records += ref.records;
        pending.bytes += ref.bytes;
        dirty = true;
        return { evictedEntries: evicted.length, evictedRecords: sumRecords(evicted) };
      }),

    peek: (maxBytes) =>
      serial(async () => {
        const out: PendingEntry[] = [];
        if (closed) return out;
        let budget = maxBytes;
        for (const [i, s] of segments.entries()) {
          const from = i === 0 ? head : 0;
          let to = from;
          // at least one entry, then whole entries while the budget lasts
          while (to < s.frames.length && (out.length + to - from === 0 || s.frames[to]!.bytes <= budget))
            budget -= s.frames[to++]!.bytes;
          if (to > from) await readFrames(s, from, to, out);
          if (to < s.frames.length) break;
        }
        return out;
      }),

    ack: (position) =>
      serial(async () => {
        const at = segments.indexOf(position.segment as Segment);
        if (at < 0 || closed) return; // evicted meanwhile, or a send that close() gave up on
        for (let i = 0; i < at; i++) await dropHead();
        if (position.index >= head) {
          forget(segments[0]!.frames.slice(head, position.index + 1));
          head = position.index + 1;
        }
        while (segments.length > 1 && head >= segments[0]!.frames.length) await dropHead();
        cursorSoon();
      }),

    stats: () => ({
      pendingEntries: pending.entries,
      pendingRecords: pending.records,
      pendingBytes: pending.bytes,
      diskBytes: diskBytes(),
      segments: segments.length,
    }),

    close: () =>
      serial(async () => {
        if (closed) return;
        closed = true;
        if (cursorTimer) clearTimeout(cursorTimer);
        if (syncTimer) clearInterval(syncTimer);
        await writeCursor();
        if (config.fsync !== 'never') await activeFile.datasync();
        await activeFile.close();
      }),
  };
}
