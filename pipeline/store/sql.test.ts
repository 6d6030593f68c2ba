import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commaJoin,
  date,
  dateTime,
  float,
  ident,
  int,
  list,
  raw,
  sql,
  SqlQuery,
  SqlValue,
  SqlValueError,
  str,
  strArray,
  tableName,
  uint,
} from './sql.ts';

const text = (v: SqlValue): string => v.toString();

/** Reference decoder for a ClickHouse single-quoted literal, as the server's lexer reads it. */
function unquote(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  const body = literal.slice(1, -1);
  const simple: Record<string, string> = {
    n: '\n',
    r: '\r',
    t: '\t',
    '0': '\0',
    b: '\b',
    f: '\f',
    '\\': '\\',
    "'": "'",
  };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "'") throw new Error(`unescaped quote at ${i} would end the literal early`);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] as string;
    if (e === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const decoded = simple[e];
      if (decoded === undefined) throw new Error(`unexpected escape \\${e}`);
      out += decoded;
    }
  }
  return out;
}

describe('str', () => {
  it('escapes backslash, quote and control characters', () => {
    expect(text(str(''))).toBe("''");
    expect(text(str("it's"))).toBe("'it\\'s'");
    expect(text(str('a\\b'))).toBe("'a\\\\b'");
    expect(text(str('\n\r\t\0\b\f'))).toBe("'\\n\\r\\t\\0\\b\\f'");
    expect(text(str('\x01\x1b\x1f\x7f'))).toBe("'\\x01\\x1B\\x1F\\x7F'");
    expect(text(str("'; DROP TABLE x; --"))).toBe("'\\'; DROP TABLE x; --'");
  });

  it('passes Unicode, backticks and placeholders through untouched', () => {
    expect(text(str('Grüße 😀 `x` {name:String} $1 ?'))).toBe("'Grüße 😀 `x` {name:String} $1 ?'");
  });

  it('rejects lone surrogates and non-strings', () => {
    expect(() => str('ok\uD800')).toThrow(/lone UTF-16 surrogate U\+D800 at index 2/);
    expect(() => str('\uDC00x')).toThrow(SqlValueError);
    expect(() => str(42 as unknown as string)).toThrow(SqlValueError);
  });

  it('round-trips any well-formed string through the literal (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(unquote(text(str(s)))).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('uint / int', () => {
  it('renders safe integers, bigints and decimal strings', () => {
    expect(text(uint(0))).toBe('0');
    expect(text(uint(Number.MAX_SAFE_INTEGER))).toBe('9007199254740991');
    expect(text(uint(2n ** 64n - 1n))).toBe('18446744073709551615');
    expect(text(uint('18446744073709551615'))).toBe('18446744073709551615');
    expect(text(int(-5))).toBe('(-5)');
    expect(text(int('-9223372036854775808'))).toBe('(-9223372036854775808)');
    expect(text(int(2n ** 63n - 1n))).toBe('9223372036854775807');
  });

  it('rejects non-integers, unsafe numbers, bad strings and out-of-range values', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, 2n ** 64n, -1n, '01', '1e3', ' 1', '-0', '', '0x10']) {
      expect(() => uint(bad)).toThrow(SqlValueError);
    }
    for (const bad of [0.5, 2n ** 63n, -(2n ** 63n) - 1n, '--1', '+1', null as unknown as number]) {
      expect(() => int(bad)).toThrow(SqlValueError);
    }
  });

  it('never renders a comment start after a minus sign (property)', () => {
    fc.assert(
      fc.property(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), (n) => {
        expect(sql`SELECT 1 -${int(n)}`.text).not.toContain('--');
      }),
    );
  });
});

describe('float', () => {
  it('renders finite numbers as typed Float64 literals', () => {
    expect(text(float(1.5))).toBe('toFloat64(1.5)');
    expect(text(float(-2))).toBe('toFloat64(-2)');
    expect(text(float(1e21))).toBe('toFloat64(1e+21)');
    expect(text(float(-0))).toBe('toFloat64(-0.0)');
  });

  it('passes subnormals as bits (ClickHouse 18.16 cannot parse them)', () => {
    expect(text(float(5e-324))).toBe("reinterpretAsFloat64(unhex('0100000000000000'))");
    expect(text(float(-5e-324))).toBe("reinterpretAsFloat64(unhex('0100000000000080'))");
  });

  it('rejects NaN, infinities and non-numbers', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, '1' as unknown as number]) {
      expect(() => float(bad)).toThrow(SqlValueError);
    }
  });
});

describe('dateTime / date', () => {
  it('renders epoch ms as whole seconds and as the UTC day', () => {
    expect(text(dateTime(1_700_000_000_999))).toBe('toDateTime(1700000000)');
    expect(text(dateTime(0))).toBe('toDateTime(0)');
    expect(text(date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)))).toBe("toDate('2024-02-29')");
  });

  it('rejects instants outside DateTime (1970..2106) and non-integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, 4_294_967_296_000]) {
      expect(() => dateTime(bad)).toThrow(SqlValueError);
      expect(() => date(bad)).toThrow(SqlValueError);
    }
  });
});

describe('ident / tableName', () => {
  it('backquotes valid identifiers', () => {
    expect(text(ident('gpu_samples'))).toBe('`gpu_samples`');
    expect(text(ident('_T1'))).toBe('`_T1`');
    expect(text(tableName('db.t'))).toBe('`db`.`t`');
    expect(text(tableName('t'))).toBe('`t`');
  });

  it('rejects anything else', () => {
    for (const bad of ['', '1a', 'a-b', 'a b', 'a`b', 'é', 'a.b', 'a;', 'a\0'])
      expect(() => ident(bad)).toThrow(SqlValueError);
    for (const bad of ['a.b.c', '.t', 'db.', '`db`.t']) expect(() => tableName(bad)).toThrow(SqlValueError);
  });
});

describe('strArray / list / commaJoin / raw', () => {
  it('renders arrays, IN lists and column lists from escaped values', () => {
    expect(text(strArray([]))).toBe('emptyArrayString()');
    expect(text(strArray(['a', "b'"]))).toBe("['a', 'b\\'']");
    expect(text(list([uint(1), str('x')]))).toBe("(1, 'x')");
    expect(() => list([])).toThrow(SqlValueError);
    expect(() => list(['x' as unknown as SqlValue])).toThrow(SqlValueError);
    expect(text(commaJoin([ident('a'), uint(2)]))).toBe('`a`, 2');
    expect(() => commaJoin([])).toThrow(SqlValueError);
    expect(() => commaJoin(['x' as unknown as SqlValue])).toThrow(SqlValueError);
    expect(() => strArray(['ok', 1 as unknown as string])).toThrow(SqlValueError);
    expect(() => strArray('ab' as unknown as string[])).toThrow(SqlValueError);
  });

  it('nests queries with raw()', () => {
    const where = sql`node = ${str('n1')}`;
    expect(sql`SELECT 1 WHERE ${raw(where)} AND ${raw(sql``)}1`.text).toBe("SELECT 1 WHERE node = 'n1' AND 1");
    expect(() => raw('x' as unknown as SqlQuery)).toThrow(SqlValueError);
  });
});

describe('sql', () => {
  it('joins literal text and rendered values', () => {
    const q = sql`SELECT * FROM ${ident('db')}.t WHERE a IN ${list([uint(1), uint(2)])} AND ts >= ${dateTime(5_000)}`;
    expect(q).toBeInstanceOf(SqlQuery);
    expect(q.text).toBe('SELECT * FROM `db`.t WHERE a IN (1, 2) AND ts >= toDateTime(5)');
    expect(String(q)).toBe(q.text);
  });

  it('rejects raw JS values in interpolations, at compile time and at run time', () => {
    // @ts-expect-error a raw string is not a SqlValue
    expect(() => sql`SELECT ${'x'}`).toThrow(/interpolation #0 is a raw string/);
    // @ts-expect-error a raw number is not a SqlValue
    expect(() => sql`SELECT 1, ${2}`).toThrow(/raw number/);
    // @ts-expect-error a SqlQuery must be nested with raw()
    expect(() => sql`SELECT ${sql`1`}`).toThrow(SqlValueError);
  });

  it('cannot be forged: the constructors need the module-private token', () => {
    const Forge = SqlValue as unknown as new (token: symbol, text: string) => SqlValue;
    expect(() => new Forge(Symbol('sql'), "' OR 1=1")).toThrow(SqlValueError);
    const ForgeQuery = SqlQuery as unknown as new (token: symbol, text: string) => SqlQuery;
    expect(() => new ForgeQuery(Symbol('sql'), 'DROP TABLE x')).toThrow(SqlValueError);
  });
});
