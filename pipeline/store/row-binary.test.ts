import { describe, expect, it } from 'vitest';
import { RowBinaryWriter } from './row-binary.ts';
import { SqlValueError } from './sql.ts';

const hex = (w: RowBinaryWriter) => w.bytes().toString('hex');

describe('RowBinary writer', () => {
  it('writes integers little-endian, UInt64 beyond 2^32 exactly', () => {
    const w = new RowBinaryWriter(4);
    w.uint8(1);
    w.uint16(19_844); // 2024-05-01 as days
    w.uint32(1_714_521_600, 'ts');
    w.uint64(2 ** 53 - 1, 'bytes');
    expect(hex(w)).toBe('01' + '844d' + '00863166' + 'ffffffffffff1f00');
  });

  it('writes strings with a varint length, arrays with a varint count, and Nullable markers', () => {
    const w = new RowBinaryWriter(2);
    w.string('é');
    w.string('x'.repeat(200));
    w.stringArray(['a', '']);
    w.nullableFloat64(null, 'power');
    w.nullableFloat64(0.5, 'power');
    w.nullableUInt32(undefined, 'gi');
    const out = w.bytes();
    expect(out.subarray(0, 3).toString('hex')).toBe('02c3a9');
    expect(out.subarray(3, 5).toString('hex')).toBe('c801');
    expect(out.subarray(205).toString('hex')).toBe('02' + '0161' + '00' + '01' + '00' + '000000000000e03f' + '01');
  });

  it('refuses values the columns cannot hold', () => {
    const w = new RowBinaryWriter();
    expect(() => w.float64(Number.NaN, 'power_watts')).toThrow(SqlValueError);
    expect(() => w.uint64(-1, 'seq')).toThrow(SqlValueError);
    expect(() => w.uint64(2 ** 53, 'seq')).toThrow(SqlValueError);
    expect(() => w.uint32(2 ** 32, 'pid')).toThrow(SqlValueError);
  });
});
