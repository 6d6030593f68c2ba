/** One interval's output of an `nvidia-smi --query-… --format=csv -lms N` loop. */
export interface CsvBlock {
  /** The header line, then the lines of the interval: the text a one-shot query prints, for the same parser. */
  readonly csv: string;
  /** Data rows in the block (header and foreign lines not counted). */
  readonly rows: number;
  /** When the block's first line arrived: the time of the reading. */
  readonly observedAtMs: number;
}

export interface CsvBlockReader {
  /**
   * Feeds a chunk of stdout. `completed`: blocks this chunk ended because a row repeated the key of
   * a row already in the block (two intervals read at once, after the reader was held up).
   * `reading`: the chunk held a header or data line, so an interval is being read; the caller ends
   * it with take() once the output has settled.
   */
  push(chunk: string, atMs: number): { readonly completed: readonly CsvBlock[]; readonly reading: boolean };
  /** Ends the current block; null when nothing but foreign lines arrived since the last one. */
  take(): CsvBlock | null;
  /** Bytes held for the block being read (the caller's output limit applies to it). */
  readonly pendingBytes: number;
}

/** Foreign lines kept for the next block at most; the rest are counted in one line. */
const MAX_FOREIGN_LINES = 20;

/**
 * Splits the stdout of an nvidia-smi CSV loop into blocks. nvidia-smi prints the header once (or,
 * should a driver repeat it, once per interval: both are read the same), then the rows of each
 * interval with no separator; it may also print ECC/Xid event text during the sleep (man page,
 * `-l`). A line is the header when its first cell is the first queried field; a data row when it
 * has at least one cell per field (free text may add cells); anything else is foreign: it never
 * starts a block, and travels in the next one so the CSV parser reports it as a bad line.
 * `keyFields` (fields before any free-text one) identify a row within an interval: a GPU's uuid, a
 * process's pid and GPU. Pure: the caller decides when an interval is over and calls take().
 */
export function createCsvBlockReader(fields: readonly string[], keyFields: readonly string[]): CsvBlockReader {
  const keyAt = keyFields.map((k) => fields.indexOf(k));
  let partial = '';
  let header: string | null = null;
  let lines: string[] = [];
  let keys = new Set<string>();
  let started: number | null = null;
  let foreign: string[] = [];
  let foreignDropped = 0;
  let bytes = 0;

  const isHeader = (line: string) => line.split(', ', 1)[0]?.replace(/ \[[^\]]*\]$/, '') === fields[0];
  const take = (): CsvBlock | null => {
    if (started === null) return null;
    const extra = foreignDropped > 0 ? [`(${foreignDropped} more lines that are not CSV rows)`] : [];
    // Without a header the parser rejects the block with its own clear message.
    const block: CsvBlock = {
      csv: [...(header === null ? [] : [header]), ...foreign, ...extra, ...lines, ''].join('\n'),
      rows: lines.length,
      observedAtMs: started,
    };
    [lines, keys, started, foreign, foreignDropped, bytes] = [[], new Set(), null, [], 0, partial.length];
    return block;
  };

  return {
    push(chunk, atMs) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      bytes += chunk.length;
      const completed: CsvBlock[] = [];
      let reading = partial !== '' && started !== null;
      for (const raw of parts) {
        const line = raw.trim();
        if (line === '') continue;
        const cells = line.split(', ');
        if (isHeader(line)) header = line;
        else if (cells.length >= fields.length) {
          const key = keyAt.map((i) => cells[i]).join('\n');
          if (keys.has(key)) completed.push(take()!); // a row has a key only within a started block
          keys.add(key);
          lines.push(line);
        } else {
          if (foreign.length < MAX_FOREIGN_LINES) foreign.push(line.slice(0, 300));
          else foreignDropped++;
          continue;
        }
        started ??= atMs;
        reading = true;
      }
      return { completed, reading };
    },
    take,
    get pendingBytes() {
      return bytes;
    },
  };
}
