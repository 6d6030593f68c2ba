import { SqlValueError } from './sql.ts';

/**
 * Writes ClickHouse RowBinary (the same on 18.16 and 26.x): fixed-width little-endian numbers,
 * strings as varint length + UTF-8 bytes, Nullable as a 0/1 byte before the value, Array as a
 * varint count + elements, Date as UInt16 days, DateTime as UInt32 seconds. Numbers never become
 * text, which is what makes it the cheap format to produce and to parse.
 */
export class RowBinaryWriter {
  #buf: Buffer;
  #pos = 0;
  readonly #strings = new Map<string, Buffer>();

  constructor(initialBytes = 1 << 20) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
  }

  #ensure(bytes: number): void {
    if (this.#pos + bytes <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + bytes));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  #varint(n: number): void {
    this.#ensure(10);
    let v = n;
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  uint8(n: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = n;
  }

  uint16(n: number): void {
    this.#ensure(2);
    this.#pos = this.#buf.writeUInt16LE(n, this.#pos);
  }

  uint32(n: number, column: string): void {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new SqlValueError(`insert: column "${column}" is ${n}; expected an integer 0..2^32-1`);
    this.#ensure(4);
    this.#pos = this.#buf.writeUInt32LE(n, this.#pos);
  }

  /** UInt64 from a safe integer (JS numbers are exact up to 2^53). */
  uint64(n: number, column: string): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new SqlValueError(`insert: column "${column}" is ${n}; expected a non-negative safe integer`);
    this.#ensure(8);
    const lo = n % 0x100000000;
    this.#pos = this.#buf.writeUInt32LE(lo, this.#pos);
    this.#pos = this.#buf.writeUInt32LE((n - lo) / 0x100000000, this.#pos);
  }

  float64(n: number, column: string): void {
    if (!Number.isFinite(n)) throw new SqlValueError(`insert: column "${column}" is ${n}; only finite numbers can be stored`);
    this.#ensure(8);
    this.#pos = this.#buf.writeDoubleLE(n, this.#pos);
  }

  /** A string: short ASCII ones byte by byte (no native call), others UTF-8 encoded once per writer. */
  string(s: string): void {
    const n = s.length;
    if (n < 128) {
      this.#ensure(n + 1);
      const start = this.#pos;
      const buf = this.#buf;
      buf[start] = n;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === n) {
        this.#pos = start + 1 + n;
        return;
      }
    }
    let bytes = this.#strings.get(s);
    if (bytes === undefined) {
      bytes = Buffer.from(s, 'utf8');
      if (this.#strings.size < 50_000) this.#strings.set(s, bytes);
    }
    this.#varint(bytes.length);
    this.#ensure(bytes.length);
    this.#pos += bytes.copy(this.#buf, this.#pos);
  }

  stringArray(items: readonly string[]): void {
    this.#varint(items.length);
    for (const s of items) this.string(s);
  }

  /** Writes the Nullable marker; returns whether a value must follow. */
  #present(value: number | null | undefined): value is number {
    const present = value !== null && value !== undefined;
    this.uint8(present ? 0 : 1);
    return present;
  }

  nullableFloat64(n: number | null | undefined, column: string): void {
    if (this.#present(n)) this.float64(n, column);
  }

  nullableUInt64(n: number | null | undefined, column: string): void {
    if (this.#present(n)) this.uint64(n, column);
  }

  nullableUInt32(n: number | null | undefined, column: string): void {
    if (this.#present(n)) this.uint32(n, column);
  }

  /** Date: days since 1970-01-01 (UTC) of an epoch-ms instant. */
  dateOf(ms: number): void {
    this.uint16(Math.floor(ms / 86_400_000));
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }
}
