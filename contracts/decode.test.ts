import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { decodeJson, decodeValue, formatIssuePath, MAX_REASON_CHARS, MAX_REPORTED_ISSUES } from './decode.ts';

const Point = z.object({ x: z.int(), y: z.number().max(100), tags: z.record(z.string(), z.string()) });

describe('formatIssuePath', () => {
  it.each<[PropertyKey[], string]>([
    [[], '(root)'],
    [['seq'], 'seq'],
    [['samples', 2, 'utilizationPct'], 'samples[2].utilizationPct'],
    [['processes', 0], 'processes[0]'],
    [['labels', 'app.kubernetes.io/name'], 'labels["app.kubernetes.io/name"]'],
    [['labels', ''], 'labels[""]'],
  ])('formats %j as %s', (path, expected) => {
    expect(formatIssuePath(path)).toBe(expected);
  });
});

describe('decodeJson', () => {
  it('returns the parsed and validated value', () => {
    expect(decodeJson(Point, '{"x":1,"y":2.5,"tags":{}}')).toEqual({ ok: true, value: { x: 1, y: 2.5, tags: {} } });
  });

  it.each(['', '{', 'undefined', '{"x":1,}', "{'x':1}", 'NaN'])(
    'rejects unparseable input %j as invalid JSON',
    (raw) => {
      const result = decodeJson(Point, raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^invalid JSON: \S/);
    },
  );

  it.each(['null', '[]', '"a string"', '42', 'true'])(
    'rejects valid JSON that is not an object (%s) at the root',
    (raw) => {
      const result = decodeJson(Point, raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^\(root\): /);
    },
  );

  it(`spells out at most ${MAX_REPORTED_ISSUES} issues and counts the rest`, () => {
    const result = decodeJson(Point, '{"x":"1","y":101,"tags":{"a":1,"b":2}}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.split('; ')).toHaveLength(MAX_REPORTED_ISSUES);
    expect(result.error).toContain('x: ');
    expect(result.error).toContain('y: ');
    expect(result.error).toMatch(/ \(\+1 more\)$/);
  });

  it('keeps a reason short even when the JSON error quotes a long input', () => {
    const result = decodeJson(Point, `{"x": ${'9'.repeat(5000)}q}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
  });

  it('does not let a __proto__ key change the prototype of a decoded record', () => {
    const result = decodeJson(Point, '{"x":1,"y":2,"tags":{"__proto__":"polluted"},"__proto__":{"admin":true}}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.value.tags)).toBe(Object.prototype);
    expect((result.value as Record<string, unknown>)['admin']).toBeUndefined();
  });
});

describe('decodeValue', () => {
  it('validates an already-parsed value', () => {
    expect(decodeValue(Point, { x: 1, y: 2, tags: { a: 'b' } })).toEqual({
      ok: true,
      value: { x: 1, y: 2, tags: { a: 'b' } },
    });
    expect(decodeValue(Point, { x: 1, y: 2 })).toEqual({ ok: false, error: 'tags: missing (expected record)' });
  });

  it('does not throw on values JSON cannot hold', () => {
    expect(decodeValue(Point, { x: 1n, y: Symbol('y'), tags: new Map() }).ok).toBe(false);
    expect(decodeValue(Point, { x: Number.NaN, y: Number.POSITIVE_INFINITY, tags: {} }).ok).toBe(false);
  });
});
