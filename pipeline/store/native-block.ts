import { endianness } from 'node:os';
import { SqlValueError } from './sql.ts';

// Whole columns are copied from typed arrays, which hold numbers in the machine's byte order.
if (endianness() !== 'LE') throw new Error('native-block: Native blocks are little-endian; this machine is big-endian');

/**
 * Writes one block of ClickHouse's Native format (the same on 18.16 and 26.x; what
 * clickhouse-client itself sends to the server): the column and row counts, then each column whole —
 * its name, its type, then all its values. Numbers fixed-width little-endian, strings as varint
 * length + UTF-8, Nullable(T) as all the null flags then all the values (a default where null),
 * Array(T) as the cumulative end offsets (UInt64) then all the elements. The server copies such
 * columns almost as they are, so it costs far less to insert than a row format (JSONEachRow,
 * RowBinary), and nothing is ever turned into text.
 *
 * Values are checked: a value the column cannot hold throws SqlValueError (a data error, so the
 * ingest isolates and dead-letters the record, write-isolated.ts).
 */
export class NativeBlockWriter {
  #buf: Buffer;
  #pos = 0;

  constructor(initialBytes = 1 << 20) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Makes room for `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.#pos + bytes <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + bytes));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  /** Starts the block: how many columns follow and how many rows each holds. */
  begin(columns: number, rows: number): void {
    this.varint(columns);
    this.varint(rows);
  }

  /** Starts a column: its name and type as in the table (e.g. `Nullable(Float64)`); its values follow. */
  column(name: string, type: string): void {
    this.string(name);
    this.string(type);
  }

  varint(n: number): void {
    this.reserve(10);
    let v = n;
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  /** The bytes of a typed array as they are (a whole fixed-width column: Float64Array, Uint32Array…). */
  append(values: ArrayBufferView): void {
    this.reserve(values.byteLength);
    this.#buf.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.#pos);
    this.#pos += values.byteLength;
  }

  uint8(n: number): void {
    this.reserve(1);
    this.#buf[this.#pos++] = n;
  }

  uint16(n: number): void {
    this.reserve(2);
    this.#pos = this.#buf.writeUInt16LE(n, this.#pos);
  }

  uint32(n: number, column: string): void {
    if (!(n >= 0 && n <= 0xffffffff && Number.isInteger(n)))
      throw new SqlValueError(`insert: column "${column}" is ${n}; expected an integer 0..2^32-1`);
    this.reserve(4);
    this.#pos = this.#buf.writeUInt32LE(n, this.#pos);
  }

  /** UInt64 from a non-negative safe integer (JS numbers are exact up to 2^53). */
  uint64(n: number, column: string): void {
    if (!(n >= 0 && Number.isSafeInteger(n)))
      throw new SqlValueError(`insert: column "${column}" is ${n}; expected a non-negative safe integer`);
    this.reserve(8);
    const lo = n % 0x100000000;
    this.#pos = this.#buf.writeUInt32LE(lo, this.#pos);
    this.#pos = this.#buf.writeUInt32LE((n - lo) / 0x100000000, this.#pos);
  }

  /** UInt64 from a number, a bigint or a decimal string (Kafka offsets are int64: they may exceed 2^53). */
  uint64Decimal(value: number | string | bigint, column: string): void {
    if (typeof value === 'number') return this.uint64(value, column);
    const big = typeof value === 'bigint' ? value : /^\d{1,20}$/.test(value) ? BigInt(value) : -1n;
    if (big < 0n || big >= 1n << 64n)
      throw new SqlValueError(`insert: column "${column}" is ${String(value)}; expected an integer 0..2^64-1`);
    this.reserve(8);
    this.#pos = this.#buf.writeBigUInt64LE(big, this.#pos);
  }

  float64(n: number, column: string): void {
    if (!Number.isFinite(n))
      throw new SqlValueError(`insert: column "${column}" is ${n}; only finite numbers can be stored`);
    this.reserve(8);
    this.#pos = this.#buf.writeDoubleLE(n, this.#pos);
  }

  string(s: string): void {
    this.span(s, 0, s.length);
  }

  /** The string `text.slice(start, end)` without making it: ASCII byte by byte, anything else UTF-8 encoded. */
  span(text: string, start: number, end: number): void {
    const n = end - start;
    if (n < 128) {
      this.reserve(n + 1);
      const buf = this.#buf;
      const at = this.#pos;
      buf[at] = n;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(start + i);
        if (c >= 0x80) break;
        buf[at + 1 + i] = c;
      }
      if (i === n) {
        this.#pos = at + 1 + n;
        return;
      }
    }
    const bytes = Buffer.from(text.slice(start, end), 'utf8');
    this.varint(bytes.length);
    this.reserve(bytes.length);
    this.#pos += bytes.copy(this.#buf, this.#pos);
  }

  /** The block written so far (a view of the writer's buffer: write nothing more while it is in use). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }
}

/** One Native block of rows for one table, ready to insert. */
export interface NativeBlock {
  readonly data: Buffer;
  readonly rows: number;
}
