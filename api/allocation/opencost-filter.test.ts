import { describe, expect, it } from 'vitest';
import { parseOpenCostFilter } from './opencost-filter.ts';

describe('OpenCost filter language (subset)', () => {
  it('parses terms, lists, negation, labels and escapes', () => {
    expect(
      parseOpenCostFilter('namespace:"a","b c"+label[app.kubernetes.io/name]!:"x\\"y\\\\"+controller:"job"'),
    ).toEqual([
      { field: 'namespace', values: ['a', 'b c'], negate: false },
      { field: 'label:app.kubernetes.io/name', values: ['x"y\\'], negate: true },
      { field: 'controller', values: ['job'], negate: false },
    ]);
    expect(parseOpenCostFilter('')).toEqual([]);
  });

  it('names what is wrong', () => {
    expect(() => parseOpenCostFilter('colour:"red"')).toThrow(/unknown filter field "colour"/);
    expect(() => parseOpenCostFilter('namespace=ml')).toThrow(/expected field:"value"/);
    expect(() => parseOpenCostFilter('namespace:ml')).toThrow(/double-quoted/);
    expect(() => parseOpenCostFilter('label[Bad Key]:"x"')).toThrow(/label key/);
    expect(() => parseOpenCostFilter('namespace:"a" node:"b"')).toThrow(/expected \+/);
  });
});
