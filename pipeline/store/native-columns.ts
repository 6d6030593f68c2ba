import type { NativeBlockWriter } from './native-block.ts';
import { SqlValueError } from './sql.ts';

/**
 * Column builders for Native blocks (native-block.ts): rows are added one at a time (so each packed
 * batch is visited once, while it is in cache) into one typed array or byte buffer per column, and
 * the block is written column by column at the end. Every setter checks that the column can hold
 * the value (SqlValueError otherwise: a data error, see write-isolated.ts).
 */

/**
 * Memory for one block's column builders, reused from block to block: encoding is synchronous, and
 * the block written from the builders is a copy (NativeBlockWriter). Fresh buffers per flush would be
 * tens of MB of external allocations per second, which V8 answers with extra garbage collections.
 */
export class ColumnArena {
  #memory = new ArrayBuffer(1 << 22);
  #used = 0;

  /** Starts a block: everything taken before may be reused. */
  reset(): void {
    this.#used = 0;
  }

  /** `bytes` bytes, 8-byte aligned, zeroed. */
  take(bytes: number): { readonly buffer: ArrayBuffer; readonly offset: number } {
    const at = Math.ceil(this.#used / 8) * 8;
    if (at + bytes > this.#memory.byteLength) {
      // Views already taken keep the old memory alive; the next block reuses the larger one.
      this.#memory = new ArrayBuffer(Math.max(2 * this.#memory.byteLength, bytes));
      this.#used = bytes;
      return { buffer: this.#memory, offset: 0 };
    }
    this.#used = at + bytes;
    new Uint8Array(this.#memory, at, bytes).fill(0);
    return { buffer: this.#memory, offset: at };
  }

  uint8(length: number): Uint8Array {
    const { buffer, offset } = this.take(length);
    return new Uint8Array(buffer, offset, length);
  }

  uint16(length: number): Uint16Array {
    const { buffer, offset } = this.take(2 * length);
    return new Uint16Array(buffer, offset, length);
  }

  uint32(length: number): Uint32Array {
    const { buffer, offset } = this.take(4 * length);
    return new Uint32Array(buffer, offset, length);
  }

  float64(length: number): Float64Array {
    const { buffer, offset } = this.take(8 * length);
    return new Float64Array(buffer, offset, length);
  }

  bytes(length: number): Buffer {
    const { buffer, offset } = this.take(length);
    return Buffer.from(buffer, offset, length);
  }
}

const badValue = (column: string, v: number, expected: string) =>
  new SqlValueError(`insert: column "${column}" is ${v}; expected ${expected}`);

/** UInt32 (also DateTime seconds) values. */
export class UInt32Column {
  readonly values: Uint32Array;
  constructor(
    arena: ColumnArena,
    readonly name: string,
    readonly type: string,
    rows: number,
  ) {
    this.values = arena.uint32(rows);
  }
  set(r: number, v: number): void {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) throw badValue(this.name, v, 'an integer 0..2^32-1');
    this.values[r] = v;
  }
  write(w: NativeBlockWriter): void {
    w.column(this.name, this.type);
    w.append(this.values);
  }
}

/** UInt64 values from non-negative safe integers, as (low, high) 32-bit halves. */
export class UInt64Column {
  readonly halves: Uint32Array;
  constructor(
    arena: ColumnArena,
    readonly name: string,
    rows: number,
  ) {
    this.halves = arena.uint32(2 * rows);
  }
  set(r: number, v: number): void {
    if (!(v >= 0 && Number.isSafeInteger(v))) throw badValue(this.name, v, 'a non-negative safe integer');
    const lo = v % 0x100000000;
    this.halves[2 * r] = lo;
    this.halves[2 * r + 1] = (v - lo) / 0x100000000;
  }
  write(w: NativeBlockWriter, type = 'UInt64'): void {
    w.column(this.name, type);
    w.append(this.halves);
  }
}

/** Date: days since 1970-01-01 (UTC) of epoch-ms instants. */
export class DateColumn {
  readonly days: Uint16Array;
  constructor(
    arena: ColumnArena,
    readonly name: string,
    rows: number,
  ) {
    this.days = arena.uint16(rows);
  }
  setFromMs(r: number, ms: number): void {
    this.days[r] = Math.floor(ms / 86_400_000);
  }
  write(w: NativeBlockWriter): void {
    w.column(this.name, 'Date');
    w.append(this.days);
  }
}

/** Nullable(Float64 | UInt64 | UInt32) from numbers where NaN is null: the null flags, then the values (0 where null). */
export class NullableColumn {
  readonly nulls: Uint8Array;
  readonly #floats: Float64Array | null;
  readonly #ints: UInt64Column | UInt32Column | null;
  constructor(
    arena: ColumnArena,
    readonly name: string,
    readonly type: 'Float64' | 'UInt64' | 'UInt32',
    rows: number,
  ) {
    this.nulls = arena.uint8(rows);
    this.#floats = type === 'Float64' ? arena.float64(rows) : null;
    this.#ints =
      type === 'UInt64'
        ? new UInt64Column(arena, name, rows)
        : type === 'UInt32'
          ? new UInt32Column(arena, name, type, rows)
          : null;
  }
  set(r: number, v: number): void {
    if (Number.isNaN(v)) {
      this.nulls[r] = 1;
      return; // the value stays 0
    }
    if (this.#floats === null) return this.#ints!.set(r, v);
    if (!Number.isFinite(v)) throw badValue(this.name, v, 'a finite number');
    this.#floats[r] = v;
  }
  write(w: NativeBlockWriter): void {
    w.column(this.name, `Nullable(${this.type})`);
    w.append(this.nulls);
    if (this.#floats !== null) w.append(this.#floats);
    else if (this.#ints instanceof UInt64Column) w.append(this.#ints.halves);
    else w.append(this.#ints!.values);
  }
}

/** String values: varint length + UTF-8 bytes each, in one growing buffer. */
export class StringColumn {
  #buf: Buffer;
  #pos = 0;
  /** The last value written by `repeat` and where its bytes are (a batch's value repeats on each of its rows). */
  #last: string | null = null;
  #lastStart = 0;

  constructor(
    arena: ColumnArena,
    readonly name: string,
    bytesHint: number,
  ) {
    this.#buf = arena.bytes(Math.max(64, bytesHint));
  }

  #reserve(bytes: number): void {
    if (this.#pos + bytes <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + bytes));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  #varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  /** The UTF-8 bytes `bytes[start, end)` as one value. */
  span(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.#reserve(n + 10);
    this.#varint(n);
    const buf = this.#buf;
    const at = this.#pos;
    if (n < 64) for (let i = 0; i < n; i++) buf[at + i] = bytes[start + i]!;
    else buf.set(bytes.subarray(start, end), at);
    this.#pos = at + n;
  }

  /** A JS string: ASCII character by character, anything else UTF-8 encoded. */
  string(s: string): void {
    const n = s.length;
    if (n < 128) {
      this.#reserve(n + 1);
      const buf = this.#buf;
      const at = this.#pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + 1 + i] = c;
      }
      if (i === n) {
        buf[at] = n;
        this.#pos = at + 1 + n;
        return;
      }
    }
    const bytes = Buffer.from(s, 'utf8');
    this.span(bytes, 0, bytes.length);
  }

  /** `s` again: when it is the value written last by `repeat`, its bytes are copied instead of encoded. */
  repeat(s: string): void {
    if (s !== this.#last) {
      this.#last = s;
      this.#lastStart = this.#pos;
      return this.string(s);
    }
    const from = this.#lastStart;
    const length = this.#pos - from;
    this.#reserve(length);
    const buf = this.#buf;
    const at = this.#pos;
    for (let k = 0; k < length; k++) buf[at + k] = buf[from + k]!;
    this.#lastStart = at;
    this.#pos = at + length;
  }

  /** The values written so far (a view: valid until the next write). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }

  write(w: NativeBlockWriter): void {
    w.column(this.name, 'String');
    w.append(this.bytes());
  }
}
