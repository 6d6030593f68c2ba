import { open, type FileHandle } from 'node:fs/promises';
import type { Collector, CollectResult } from '../collector.ts';
import { parseXidLines } from './parse-xid.ts';

export interface XidCollectorConfig {
  /** Kernel log to follow, e.g. /var/log/kern.log (syslog) or a file that `dmesg -w --time-format=iso` writes. */
  readonly path: string;
  /**
   * Where the first collect starts: 'end' (default) reports only Xids logged from now on, so an
   * agent restart does not report old Xids again; 'start' reads the file from its beginning.
   */
  readonly startAt?: 'start' | 'end';
  /** Most bytes read per collect (default 4 MiB); the rest is read by the next collects. */
  readonly maxBytesPerCollect?: number;
  /** Host offset from UTC for zone-less stamps (see parseXidLines). */
  readonly localUtcOffsetMinutes?: number;
}

const NEWLINE = 0x0a;

/**
 * Follows a kernel log file and reports the Xid lines added since the previous collect. It keeps
 * the byte offset after the last complete line it read (a partial last line waits for the next
 * collect). A file that shrank below that offset (truncated) or was replaced (new inode: rotated)
 * is read again from its start. An unreadable file is an error entry; the offset is kept.
 */
export function createXidCollector(
  config: XidCollectorConfig,
  now: () => number,
): Collector & { readonly name: 'xid' } {
  const maxBytes = config.maxBytesPerCollect ?? 4 * 1024 * 1024;
  let position: { offset: number; ino: number } | null = null;

  async function readNew(file: FileHandle, errors: string[]): Promise<string> {
    const stat = await file.stat();
    if (position === null) position = { offset: config.startAt === 'start' ? 0 : stat.size, ino: stat.ino };
    if (stat.ino !== position.ino || stat.size < position.offset) position = { offset: 0, ino: stat.ino };
    const length = Math.min(maxBytes, stat.size - position.offset);
    if (length <= 0) return '';
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, position.offset);
    // Cut at the last newline: a newline byte never sits inside a multi-byte UTF-8 character.
    const end = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE) + 1;
    if (end === 0 && bytesRead === maxBytes) {
      errors.push(`${config.path}: a line longer than ${maxBytes} bytes at offset ${position.offset} was skipped`);
      position = { ...position, offset: position.offset + bytesRead };
      return '';
    }
    position = { ...position, offset: position.offset + end };
    return buffer.toString('utf8', 0, end);
  }

  return {
    name: 'xid' as const,
    async collect(): Promise<CollectResult> {
      const errors: string[] = [];
      let text = '';
      try {
        const file = await open(config.path, 'r');
        try {
          text = await readNew(file, errors);
        } finally {
          await file.close();
        }
      } catch (error) {
        errors.push(`${config.path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const parsed = parseXidLines(text, now(), { localUtcOffsetMinutes: config.localUtcOffsetMinutes ?? 0 });
      return {
        samples: [],
        processes: [],
        modelServers: [],
        xidEvents: parsed.events,
        errors: [...errors, ...parsed.errors],
      };
    },
    close: () => Promise.resolve(),
  };
}
