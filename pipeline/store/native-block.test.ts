import { describe, expect, it } from 'vitest';
import { NativeBlockWriter } from './native-block.ts';
import { ColumnArena, NullableColumn, StringColumn, UInt32Column, UInt64Column } from './native-columns.ts';
import { SqlValueError } from './sql.ts';

const hex = (w: NativeBlockWriter) => w.bytes().toString('hex');

describe('Native block writer', () => {
  it('writes the counts, then each column as name, type and values: integers little-endian, UInt64 beyond 2^32 exactly', () => {
    const w = new NativeBlockWriter(4);
    w.begin(2, 1);
    w.column('d', 'Date');
    w.uint16(19_844); // 2024-05-01 as days
    w.column('n', 'UInt64');
    w.uint64(2 ** 53 - 1, 'n');
    expect(hex(w)).toBe('0201' + '0164' + '0444617465' + '844d' + '016e' + '0655496e743634' + 'ffffffffffff1f00');
  });

  it('writes strings with a varint length (UTF-8), Kafka offsets beyond 2^53 from decimal text', () => {
    const w = new NativeBlockWriter(2);
    w.string('é');
    w.string('x'.repeat(200));
    w.uint64Decimal('18446744073709551615', 'offset');
    const out = w.bytes();
    expect(out.subarray(0, 3).toString('hex')).toBe('02c3a9');
    expect(out.subarray(3, 5).toString('hex')).toBe('c801');
    expect(out.subarray(205).toString('hex')).toBe('ffffffffffffffff');
  });

  it('refuses values the columns cannot hold', () => {
    const w = new NativeBlockWriter();
    expect(() => w.float64(Number.NaN, 'power_watts')).toThrow(SqlValueError);
    expect(() => w.uint64(-1, 'seq')).toThrow(SqlValueError);
    expect(() => w.uint64(2 ** 53, 'seq')).toThrow(SqlValueError);
    expect(() => w.uint32(2 ** 32, 'pid')).toThrow(SqlValueError);
    expect(() => w.uint64Decimal('12a', 'offset')).toThrow(SqlValueError);
  });
});

describe('Native column builders', () => {
  it('Nullable columns: all null flags, then all values with 0 for null; columns refuse what they cannot hold', () => {
    const arena = new ColumnArena();
    const power = new NullableColumn(arena, 'p', 'Float64', 3);
    [0.5, Number.NaN, 2].forEach((v, r) => power.set(r, v));
    const gi = new NullableColumn(arena, 'gi', 'UInt32', 2);
    [Number.NaN, 7].forEach((v, r) => gi.set(r, v));
    const w = new NativeBlockWriter();
    power.write(w);
    gi.write(w);
    expect(hex(w)).toBe(
      '0170' +
        '114e756c6c61626c6528466c6f6174363429' +
        '000100' +
        '000000000000e03f' +
        '0000000000000000' +
        '0000000000000040' +
        '026769' +
        '104e756c6c61626c652855496e74333229' +
        '0100' +
        '00000000' +
        '07000000',
    );
    expect(() => power.set(0, Number.POSITIVE_INFINITY)).toThrow(SqlValueError);
    expect(() => new UInt32Column(arena, 'pid', 'UInt32', 1).set(0, -1)).toThrow(SqlValueError);
    expect(() => new UInt64Column(arena, 'seq', 1).set(0, 1.5)).toThrow(SqlValueError);
  });

  it('String columns: spans of UTF-8 bytes, JS strings, and a repeated value copied; the arena is zeroed for the next block', () => {
    const arena = new ColumnArena();
    const c = new StringColumn(arena, 's', 1);
    const bytes = Buffer.from('xxGPU-1yy', 'utf8');
    c.span(bytes, 2, 7);
    c.repeat('nœud');
    c.repeat('nœud');
    c.string('');
    expect(c.bytes().toString('hex')).toBe(
      '05' + Buffer.from('GPU-1').toString('hex') + '056ec593756405' + '6ec5937564' + '00',
    );
    arena.reset();
    expect([...new NullableColumn(arena, 'p', 'Float64', 3).nulls]).toEqual([0, 0, 0]);
  });
});
