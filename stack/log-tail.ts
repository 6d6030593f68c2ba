import { open, stat } from 'node:fs/promises';

/** The last `count` non-empty lines of `text`, joined with newlines. Pure. */
export function lastLines(text: string, count: number): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-count).join('\n');
}

/**
 * The last `count` lines of a (possibly large, possibly missing) log file; reads at most 64 KiB,
 * and nothing before byte `fromByte` (so a failed start shows only its own output).
 */
export async function tailFile(file: string, count = 30, fromByte = 0): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, Math.min(size - (fromByte <= size ? fromByte : 0), 64 * 1024));
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return lastLines(buffer.toString('utf8'), count);
  } finally {
    await handle.close();
  }
}

/** Current sizes of `files` (0 when missing): pass to describeLogs to show only what came after. */
export async function logSizes(files: readonly string[]): Promise<ReadonlyMap<string, number>> {
  const entries = await Promise.all(
    files.map(
      async (file) =>
        [
          file,
          await stat(file).then(
            (s) => s.size,
            () => 0,
          ),
        ] as const,
    ),
  );
  return new Map(entries);
}

/** Tails several log files into one block for an error message, skipping the empty ones. */
export async function describeLogs(
  files: readonly string[],
  count = 20,
  since: ReadonlyMap<string, number> = new Map(),
): Promise<string> {
  const parts: string[] = [];
  for (const file of files) {
    const tail = await tailFile(file, count, since.get(file) ?? 0);
    if (tail) parts.push(`--- last lines of ${file}:\n${tail}`);
  }
  return parts.length > 0 ? parts.join('\n') : `(no output in ${files.join(', ')})`;
}
