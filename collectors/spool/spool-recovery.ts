import { readdir, readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { scanFrames, type FrameRef } from './frame.ts';

/** One segment file of the spool: frames appended in order, never rewritten. */
export interface Segment {
  readonly id: number;
  readonly path: string;
  bytes: number;
  readonly frames: FrameRef[];
  /** Left by an earlier process (its entries, when delivered, count as replayed). */
  readonly recovered: boolean;
}

export interface RecoveryReport {
  readonly entries: number;
  readonly records: number;
  /** Segments whose tail was torn or corrupt and was truncated. */
  readonly tornTails: number;
  readonly tornBytes: number;
}

const SEGMENT_RE = /^segment-(\d{20})\.log$/;
export const CURSOR_FILE = 'cursor.json';
export const segmentPath = (dir: string, id: number): string =>
  join(dir, `segment-${String(id).padStart(20, '0')}.log`);

async function readCursor(dir: string, logger: Logger): Promise<{ segmentId: number; offset: number } | null> {
  const raw = await readFile(join(dir, CURSOR_FILE), 'utf8').catch(() => null);
  if (raw === null) return null;
  try {
    const c = JSON.parse(raw) as { segmentId?: unknown; offset?: unknown };
    if (Number.isSafeInteger(c.segmentId) && Number.isSafeInteger(c.offset))
      return { segmentId: c.segmentId as number, offset: c.offset as number };
  } catch {
    // fall through: an unreadable cursor only means replaying from the oldest segment (duplicates)
  }
  logger.warn({ dir }, 'spool cursor unreadable; replaying from the oldest segment');
  return null;
}

/**
 * Reads what an earlier process left in `dir`: deletes segments the cursor says were delivered,
 * truncates torn tails (a crash mid-append) after the last whole frame, and finds the first
 * undelivered frame. Returns the surviving segments in order, the head frame's index in the
 * first one, and the next free segment id (ids are never reused, so a stale cursor stays safe).
 */
export async function recoverSegments(
  dir: string,
  logger: Logger,
): Promise<{ segments: Segment[]; head: number; nextId: number; recovery: RecoveryReport }> {
  const cursor = await readCursor(dir, logger);
  const ids = (await readdir(dir)).flatMap((n) => {
    const m = SEGMENT_RE.exec(n);
    return m ? [Number(m[1])] : [];
  });
  ids.sort((a, b) => a - b);
  const segments: Segment[] = [];
  let tornTails = 0;
  let tornBytes = 0;
  for (const id of ids) {
    const path = segmentPath(dir, id);
    if (cursor && id < cursor.segmentId) {
      await unlink(path); // wholly delivered before the last cursor write
      continue;
    }
    const buf = await readFile(path);
    const { frames, validBytes } = scanFrames(buf);
    if (validBytes < buf.length) {
      tornTails++;
      tornBytes += buf.length - validBytes;
      logger.warn(
        { segment: path, validBytes, tornBytes: buf.length - validBytes },
        'spool segment has a torn or corrupt tail; truncated after the last whole frame',
      );
      await truncate(path, validBytes);
    }
    if (frames.length === 0) await unlink(path);
    else segments.push({ id, path, bytes: validBytes, frames, recovered: true });
  }
  const first = segments[0];
  let head =
    first && cursor && first.id === cursor.segmentId ? first.frames.findIndex((f) => f.offset >= cursor.offset) : 0;
  if (head < 0) {
    await unlink(segments.shift()!.path); // every frame of it was delivered
    head = 0;
  }
  const pendingFrames = segments.flatMap((s, i) => s.frames.slice(i === 0 ? head : 0));
  const recovery = {
    entries: pendingFrames.length,
    records: pendingFrames.reduce((n, f) => n + f.records, 0),
    tornTails,
    tornBytes,
  };
  return { segments, head, nextId: Math.max(ids.at(-1) ?? 0, cursor?.segmentId ?? 0) + 1, recovery };
}
