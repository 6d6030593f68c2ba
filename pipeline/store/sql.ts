/**
 * The one place that renders values into SQL text.
 *
 * ClickHouse 18.16 has no server-side query parameters, so every value is rendered as a literal
 * here, validated and escaped, and nowhere else. `sql` is a tagged template whose interpolations
 * must be `SqlValue`s made by the constructors below; a raw JS string or number is a type error
 * and, should it slip through (`any`), a runtime `SqlValueError`.
 *
 *   sql`SELECT count() FROM ${ident(db)}.gpu_samples WHERE node = ${str(node)} AND ts >= ${dateTime(ms)}`
 *
 * Every rendering below parses identically on ClickHouse 18.16 and 26.x (chDB); both are
 * exercised by test/store-conformance.ts.
 */

/** An invalid value was about to be rendered into SQL (NaN, out of range, bad identifier, …). */
export class SqlValueError extends Error {
  override readonly name = 'SqlValueError';
  readonly code = 'SQL_VALUE';
}

// Only this module holds the token, so only the constructors below can make a SqlValue or SqlQuery.
const TOKEN: unique symbol = Symbol('sql');

/** A rendered SQL fragment that can be interpolated into `sql`. Only the constructors below make one. */
export class SqlValue {
  readonly #text: string;
  constructor(token: typeof TOKEN, text: string) {
    if (token !== TOKEN) throw new SqlValueError('SqlValue: use str(), uint(), ident(), … to make one');
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

/** A complete SQL statement (or fragment) built by `sql`. Executors accept nothing else. */
export class SqlQuery {
  readonly #text: string;
  constructor(token: typeof TOKEN, text: string) {
    if (token !== TOKEN) throw new SqlValueError('SqlQuery: use the sql`` tag to make one');
    this.#text = text;
  }
  /** The SQL text, ready to send. */
  get text(): string {
    return this.#text;
  }
  toString(): string {
    return this.#text;
  }
}

const mint = (text: string): SqlValue => new SqlValue(TOKEN, text);

/** For error messages: what was passed, without ever throwing itself. */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return v === null ? 'null' : typeof v;
}

/** Tagged template: literal SQL text with `SqlValue` interpolations. */
export function sql(strings: TemplateStringsArray, ...values: readonly SqlValue[]): SqlQuery {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    if (!(value instanceof SqlValue)) {
      throw new SqlValueError(
        `sql: interpolation #${i} is a raw ${typeof value}; wrap it in str(), uint(), int(), float(), dateTime(), ident(), strArray(), list() or raw()`,
      );
    }
    text += value.toString() + (strings[i + 1] ?? '');
  });
  return new SqlQuery(TOKEN, text);
}

/** Nests another query built with `sql` (a subquery or a shared WHERE fragment). */
export function raw(query: SqlQuery): SqlValue {
  if (!(query instanceof SqlQuery)) throw new SqlValueError('raw: expects a SqlQuery built with sql``');
  return mint(query.text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /[\\'\u0000-\u001F\u007F]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
};

/** Escapes the body of a ClickHouse single-quoted string literal. */
function escapeString(s: string): string {
  return s.replace(
    NEEDS_ESCAPE,
    (c) => NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** A string literal: `'…'` with backslash, quote and control characters escaped. */
export function str(s: string): SqlValue {
  if (typeof s !== 'string') throw new SqlValueError(`str: expected a string, got ${typeof s}`);
  const bad = LONE_SURROGATE.exec(s);
  if (bad) {
    throw new SqlValueError(
      `str: lone UTF-16 surrogate U+${bad[0].charCodeAt(0).toString(16).toUpperCase()} at index ${bad.index}; the string is not valid Unicode`,
    );
  }
  return mint(`'${escapeString(s)}'`);
}

const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function toBigInt(fn: string, n: number | bigint | string, pattern: RegExp): bigint {
  if (typeof n === 'number') {
    if (!Number.isSafeInteger(n)) {
      throw new SqlValueError(
        `${fn}: ${describe(n)} is not a safe integer (use a bigint or decimal string beyond 2^53)`,
      );
    }
    return BigInt(n);
  }
  if (typeof n === 'bigint') return n;
  if (typeof n === 'string' && pattern.test(n)) return BigInt(n);
  throw new SqlValueError(`${fn}: ${describe(n)} is not an integer`);
}

/** Negative literals are parenthesised so that `a -${int(-1)}` can never render `a --1` (a comment). */
function renderInteger(v: bigint): SqlValue {
  return mint(v < 0n ? `(${v})` : `${v}`);
}

/** An unsigned integer (UInt8…UInt64): safe integer number, bigint, or decimal string. */
export function uint(n: number | bigint | string): SqlValue {
  const v = toBigInt('uint', n, /^(0|[1-9][0-9]*)$/);
  if (v < 0n || v > UINT64_MAX) throw new SqlValueError(`uint: ${v} is out of range 0..2^64-1`);
  return renderInteger(v);
}

/** A signed integer (Int8…Int64): safe integer number, bigint, or decimal string. */
export function int(n: number | bigint | string): SqlValue {
  const v = toBigInt('int', n, /^-?(0|[1-9][0-9]*)$/);
  if (v < INT64_MIN || v > INT64_MAX) throw new SqlValueError(`int: ${v} is out of range -2^63..2^63-1`);
  return renderInteger(v);
}

const MIN_NORMAL_FLOAT64 = 2.2250738585072014e-308;

/** A Float64 (finite only). Rendered as `toFloat64(…)` so its type never depends on the digits. */
export function float(n: number): SqlValue {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new SqlValueError(`float: ${describe(n)} is not a finite number`);
  }
  if (Object.is(n, -0)) return mint('toFloat64(-0.0)');
  if (n !== 0 && Math.abs(n) < MIN_NORMAL_FLOAT64) {
    // ClickHouse 18.16's literal parser rejects subnormal numbers (strtod ERANGE): pass the bits.
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(n);
    return mint(`reinterpretAsFloat64(unhex('${bytes.toString('hex').toUpperCase()}'))`);
  }
  // Number#toString gives the shortest round-tripping form (e.g. 0.1, 1e-7, 1e+21); both versions parse it.
  return mint(`toFloat64(${n})`);
}

const MAX_DATETIME_MS = 4294967295 * 1000; // DateTime is UInt32 seconds

/** Epoch ms → whole seconds for a ClickHouse DateTime; throws SqlValueError outside 1970..2106. */
export function toEpochSeconds(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_DATETIME_MS + 999) {
    throw new SqlValueError(
      `dateTime: ${describe(ms)} is not an integer epoch-ms within the DateTime range (1970..2106)`,
    );
  }
  return Math.floor(ms / 1000);
}

/** Epoch ms → the UTC calendar day `YYYY-MM-DD` (the `date` partition column). */
export function toUtcDate(ms: number): string {
  toEpochSeconds(ms);
  return new Date(ms).toISOString().slice(0, 10);
}

/** A DateTime from epoch milliseconds (truncated to the second): `toDateTime(<unix seconds>)`. */
export function dateTime(ms: number): SqlValue {
  return mint(`toDateTime(${toEpochSeconds(ms)})`);
}

/** A Date: the UTC day containing epoch ms, `toDate('YYYY-MM-DD')` (independent of the server's timezone). */
export function date(ms: number): SqlValue {
  return mint(`toDate('${toUtcDate(ms)}')`);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An identifier (database, table, column): `[A-Za-z_][A-Za-z0-9_]*`, rendered backquoted. */
export function ident(name: string): SqlValue {
  if (typeof name !== 'string' || !IDENT.test(name)) {
    throw new SqlValueError(`ident: ${describe(name)} is not a valid identifier ([A-Za-z_][A-Za-z0-9_]*)`);
  }
  return mint(`\`${name}\``);
}

/** A table name, optionally qualified: `table` or `db.table`, each part a valid identifier. */
export function tableName(name: string): SqlValue {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2) {
    throw new SqlValueError(`tableName: ${describe(name)} is not "table" or "db.table"`);
  }
  return mint(parts.map((p) => ident(p).toString()).join('.'));
}

/** An Array(String) literal. The empty array is typed (`emptyArrayString()`), not Array(Nothing). */
export function strArray(xs: readonly string[]): SqlValue {
  const items: readonly unknown[] = Array.isArray(xs) ? xs : [];
  if (items !== xs) throw new SqlValueError('strArray: expected an array of strings');
  if (items.length === 0) return mint('emptyArrayString()');
  return mint(`[${items.map((x) => str(x as string).toString()).join(', ')}]`);
}

/** The values joined by commas; at least one, each a SqlValue (`caller` and `whyNotEmpty` name the rule in the error). */
function joinValues(values: readonly SqlValue[], caller: string, whyNotEmpty: string): string {
  if (!Array.isArray(values) || values.length === 0) {
    throw new SqlValueError(`${caller}: needs at least one value (${whyNotEmpty})`);
  }
  for (const v of values) {
    if (!(v instanceof SqlValue)) throw new SqlValueError(`${caller}: element is a raw ${typeof v}, not a SqlValue`);
  }
  return values.map(String).join(', ');
}

/** A parenthesised, comma-separated list for `IN (…)`; at least one value. */
export function list(values: readonly SqlValue[]): SqlValue {
  return mint(`(${joinValues(values, 'list', 'IN () is not valid SQL')})`);
}

/** `a, b, c` without parentheses (a SELECT or GROUP BY list); at least one value. */
export function commaJoin(values: readonly SqlValue[]): SqlValue {
  return mint(joinValues(values, 'commaJoin', 'an empty column list is not valid SQL'));
}
