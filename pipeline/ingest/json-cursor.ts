/**
 * A cursor over the UTF-8 bytes of a JSON text for hand-written, schema-specific decoders
 * (gpu-batch-scanner.ts): reads tokens in place — strings as byte spans, numbers as the exact doubles
 * JSON.parse gives — and throws UNSUPPORTED at anything it does not read (escapes, non-ASCII bytes,
 * whitespace other than spaces, bad syntax), so the caller can leave such text to JSON.parse. It
 * never claims valid what JSON.parse refuses. Bytes, not a string: typed-array reads cost a fraction
 * of charCodeAt, and a Kafka value need not be decoded to a string at all.
 */

/** Thrown by the cursor and its decoders for "not for me: use the general decoder" (one instance, made once: throwing it costs no stack trace). */
export class UnsupportedJson extends Error {
  override readonly name = 'UnsupportedJson';
}
export const UNSUPPORTED = new UnsupportedJson('JSON the fast decoder leaves to the general one');
export function unsupported(): never {
  throw UNSUPPORTED;
}

const POW10 = Array.from({ length: 23 }, (_, e) => 10 ** e);

/**
 * The keys of one kind of object, with an id each (their index), and which key usually follows
 * which: producers write keys in the same order every time, so the cursor first tries the key it
 * expects next (one comparison) and only then looks the key up.
 */
export class KeySet {
  /** `"name":` of each key as little-endian 32-bit words at offsets 0, 4, 8… and a last one ending the key (overlapping): compared 4 bytes at a time. */
  readonly #words: readonly Uint32Array[];
  readonly #offsets: readonly Uint8Array[];
  readonly #quotedLength: Uint8Array;
  readonly #byLength: ReadonlyArray<ReadonlyArray<number> | undefined>;
  readonly #next: Int32Array;

  constructor(readonly names: readonly string[]) {
    const quoted = names.map((n) => Buffer.from(`"${n}":`, 'latin1'));
    this.#quotedLength = Uint8Array.from(quoted, (q) => q.length);
    this.#offsets = quoted.map((q) =>
      Uint8Array.from({ length: Math.ceil(q.length / 4) }, (_, w) => Math.min(4 * w, q.length - 4)),
    );
    this.#words = quoted.map((q, id) => Uint32Array.from(this.#offsets[id]!, (at) => q.readUInt32LE(at)));
    const byLength: number[][] = [];
    names.forEach((name, id) => (byLength[name.length] ??= []).push(id));
    this.#byLength = byLength;
    // #next[id + 1]: the key expected after `id` (index 0: the first key).
    this.#next = Int32Array.from({ length: names.length + 1 }, (_, k) => k % names.length);
  }

  /** The id of the key at `c`'s position (skipping spaces), after `previous` (-1 for the first); moves past its colon. */
  read(c: JsonCursor, previous: number): number {
    c.ws();
    const expected = this.#next[previous + 1]!;
    const length = this.#quotedLength[expected]!;
    const at = c.i;
    if (at + length <= c.u.length) {
      const words = this.#words[expected]!;
      const offsets = this.#offsets[expected]!;
      const view = c.view;
      let w = 0;
      while (w < words.length && view.getUint32(at + offsets[w]!, true) === words[w]) w++;
      if (w === words.length) {
        c.i = at + length;
        return expected;
      }
    }
    c.string();
    for (const id of this.#byLength[c.b - c.a] ?? []) {
      if (c.startsWith(this.names[id]!)) {
        c.expect(58);
        this.#next[previous + 1] = id;
        return id;
      }
    }
    return unsupported();
  }
}

const EMPTY = new Uint8Array(0);

export class JsonCursor {
  /** The text's bytes. */
  u: Uint8Array = EMPTY;
  i = 0;
  /** The span of the last string read: u[a, b). */
  a = 0;
  b = 0;

  /** The same bytes, for reading 4 at a time. */
  view: DataView<ArrayBufferLike> = new DataView(EMPTY.buffer);

  reset(bytes: Uint8Array): void {
    this.u = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.i = 0;
  }

  ws(): void {
    const u = this.u;
    let i = this.i;
    while (u[i] === 32) i++;
    this.i = i;
  }

  /** Skips spaces, then the character `code`. */
  expect(code: number): void {
    this.ws();
    if (this.u[this.i] !== code) unsupported();
    this.i++;
  }

  /** Skips spaces; then the end of the text must follow. */
  end(): void {
    this.ws();
    if (this.i !== this.u.length) unsupported();
  }

  /** A string of printable ASCII without escapes; its content is u[a, b). */
  string(): void {
    this.ws();
    const u = this.u;
    let i = this.i;
    if (u[i] !== 34) unsupported();
    const a = ++i;
    for (;;) {
      const c = u[i]!;
      if (c === 34) break;
      // A backslash starts an escape, a control character is invalid JSON, a byte >= 0x80 is UTF-8
      // the general decoder turns into characters (undefined, past the end, fails too).
      if (!(c >= 32 && c < 128) || c === 92) unsupported();
      i++;
    }
    this.a = a;
    this.b = i;
    this.i = i + 1;
  }

  /** string(), also folding its bytes into `hash` with `step` from `seed` (one pass over bytes in cache). */
  hashedString(seed: number, step: (h: number, byte: number) => number): number {
    this.string();
    const u = this.u;
    let h = seed;
    for (let k = this.a; k < this.b; k++) h = step(h, u[k]!);
    return h;
  }

  /** The last string (ASCII, see string()). */
  text(): string {
    return String.fromCharCode.apply(null, this.u.subarray(this.a, this.b) as unknown as number[]);
  }

  /**
   * The last string, the same string object as the last time these bytes were read: identifiers
   * (agent, boot, cluster, node) repeat in every batch, and an interned one costs no allocation.
   */
  interned(): string {
    const { u, a, b } = this;
    let h = 0x811c9dc5;
    for (let k = a; k < b; k++) h = Math.imul(h ^ u[k]!, 0x01000193);
    const known = this.#interned.get(h);
    if (known !== undefined && known.length === b - a) {
      let k = 0;
      while (k < known.length && known.charCodeAt(k) === u[a + k]) k++;
      if (k === known.length) return known;
    }
    const made = this.text();
    if (this.#interned.size >= 65_536) this.#interned.clear(); // bounded: a cache, not a registry
    this.#interned.set(h, made);
    return made;
  }

  readonly #interned = new Map<number, string>();

  nonEmptyString(): void {
    this.string();
    if (this.b === this.a) unsupported();
  }

  /** Whether the bytes at `at` start with the ASCII `prefix` (the closing quote of a string never matches a prefix character). */
  startsWithAt(prefix: string, at: number): boolean {
    const u = this.u;
    for (let k = 0; k < prefix.length; k++) if (u[at + k] !== prefix.charCodeAt(k)) return false;
    return true;
  }

  /** Whether the last string starts with `prefix`. */
  startsWith(prefix: string): boolean {
    return this.startsWithAt(prefix, this.a);
  }

  /** Consumes `null` if that comes next. */
  isNull(): boolean {
    this.ws();
    if (this.u[this.i] !== 110) return false;
    if (!this.startsWithAt('null', this.i)) unsupported();
    this.i += 4;
    return true;
  }

  /** A JSON number: exactly the double JSON.parse gives (Clinger's fast path, else Number() of the text). */
  number(): number {
    this.ws();
    const u = this.u;
    const start = this.i;
    let i = start;
    let c = u[i]!;
    const negative = c === 45;
    if (negative) c = u[++i]!;
    let mantissa = 0;
    let digits = 0;
    if (c === 48) c = u[++i]!;
    else if (c >= 49 && c <= 57) {
      do {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        c = u[++i]!;
      } while (c >= 48 && c <= 57);
    } else unsupported();
    let exponent = 0;
    if (c === 46) {
      c = u[++i]!;
      if (!(c >= 48 && c <= 57)) unsupported();
      do {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        exponent--;
        c = u[++i]!;
      } while (c >= 48 && c <= 57);
    }
    let exact = digits <= 15;
    if (c === 101 || c === 69) {
      c = u[++i]!;
      const negativeExponent = c === 45;
      if (c === 43 || c === 45) c = u[++i]!;
      if (!(c >= 48 && c <= 57)) unsupported();
      let e = 0;
      do {
        if (e < 100_000) e = e * 10 + (c - 48);
        else exact = false;
        c = u[++i]!;
      } while (c >= 48 && c <= 57);
      exponent += negativeExponent ? -e : e;
    }
    this.i = i;
    // An exact mantissa (< 10^15) and an exact power of ten, one rounding: the correctly rounded value.
    if (exact && exponent >= -22 && exponent <= 22) {
      const magnitude = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!;
      return negative ? -magnitude : magnitude;
    }
    let literal = '';
    for (let k = start; k < i; k++) literal += String.fromCharCode(u[k]!);
    return Number(literal);
  }

  /** A number, or NaN for null. */
  nullableNumber(): number {
    return this.isNull() ? Number.NaN : this.number();
  }

  /** Starts an object (`{`, `}`) or array (`[`, `]`); false when it is empty (and consumed). */
  open(open: number, close: number): boolean {
    this.expect(open);
    this.ws();
    if (this.u[this.i] !== close) return true;
    this.i++;
    return false;
  }

  /** After a member or element: true for `,` (another follows), false for the closing `close`. */
  more(close: number): boolean {
    this.ws();
    const c = this.u[this.i++];
    if (c === 44) return true;
    if (c !== close) unsupported();
    return false;
  }
}

/** Character codes of `{`, `}`, `[`, `]` for open() and more(). */
export const [LBRACE, RBRACE, LBRACKET, RBRACKET] = [123, 125, 91, 93] as const;
