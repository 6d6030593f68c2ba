import { describe, expect, it } from 'vitest';
import { ALL_VALUE, expandPanelSql, type PanelQueryContext } from './grafana-macros.ts';

// 2026-11-02T10:00:00Z .. 2026-11-02T12:00:00.500Z, 60 s interval.
const FROM = Date.UTC(2026, 10, 2, 10);
const TO = Date.UTC(2026, 10, 2, 12) + 500;
const ctx = (variables: PanelQueryContext['variables'] = {}, intervalMs = 60_000): PanelQueryContext => ({
  fromMs: FROM,
  toMs: TO,
  intervalMs,
  variables,
});

describe('expandPanelSql: the ClickHouse plugin’s backend macros (pkg/macros/macros.go)', () => {
  it('expands the time filters to whole seconds of the range', () => {
    expect(expandPanelSql('WHERE $__timeFilter(ts)', ctx())).toBe(
      'WHERE ts >= toDateTime(1793613600) AND ts <= toDateTime(1793620800)',
    );
    expect(expandPanelSql('$__timeFrom(ts) AND $__timeTo( ts )', ctx())).toBe(
      'ts >= toDateTime(1793613600) AND ts <= toDateTime(1793620800)',
    );
    expect(expandPanelSql('$__fromTime, $__toTime', ctx())).toBe('toDateTime(1793613600), toDateTime(1793620800)');
  });

  it('keeps milliseconds in the _ms variants', () => {
    expect(expandPanelSql('$__timeFilter_ms(t)', ctx())).toBe(
      't >= fromUnixTimestamp64Milli(1793613600000) AND t <= fromUnixTimestamp64Milli(1793620800500)',
    );
    expect(expandPanelSql('$__fromTime_ms $__toTime_ms', ctx())).toBe(
      'fromUnixTimestamp64Milli(1793613600000) fromUnixTimestamp64Milli(1793620800500)',
    );
  });

  it('filters dates and date + time pairs ($__dt is $__dateTimeFilter)', () => {
    expect(expandPanelSql('$__dateFilter(date)', ctx())).toBe(
      "date >= toDate('2026-11-02') AND date <= toDate('2026-11-02')",
    );
    expect(expandPanelSql('$__dt(date, ts)', ctx())).toBe(
      "(date >= toDate('2026-11-02') AND date <= toDate('2026-11-02')) AND (ts >= toDateTime(1793613600) AND ts <= toDateTime(1793620800))",
    );
  });

  it('buckets by the interval, at least one second', () => {
    expect(expandPanelSql('$__timeInterval(ts)', ctx())).toBe('toStartOfInterval(toDateTime(ts), INTERVAL 60 second)');
    expect(expandPanelSql('$__timeInterval(ts) $__interval_s', ctx({}, 200))).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 1 second) 1',
    );
    expect(expandPanelSql('$__timeInterval_ms(ts)', ctx({}, 250))).toBe(
      'toStartOfInterval(toDateTime64(ts, 3), INTERVAL 250 millisecond)',
    );
    expect(expandPanelSql('intDiv(toUInt32(ts), $__interval_s) * $__interval_s', ctx())).toBe(
      'intDiv(toUInt32(ts), 60) * 60',
    );
  });

  it('leaves unknown macros as they are and names a wrong argument count', () => {
    expect(expandPanelSql('SELECT $__unknownMacro(x)', ctx())).toBe('SELECT $__unknownMacro(x)');
    expect(() => expandPanelSql('$__timeFilter(a, b)', ctx())).toThrow(
      '$__timeFilter expected 1 argument(s), received 2',
    );
    expect(() => expandPanelSql('$__timeFilter', ctx())).toThrow('$__timeFilter expected 1 argument(s), received 0');
  });
});

describe('expandPanelSql: template variables and $__conditionalAll (the plugin’s frontend)', () => {
  it('formats multi-value variables as quoted lists and single values raw', () => {
    const sql = 'cluster IN ($cluster) AND node = ${node} AND model IN ([[model]]) AND t > $__from AND t < $__to';
    expect(expandPanelSql(sql, ctx({ cluster: ['a', 'b'], node: "'n1'", model: ['A100'] }))).toBe(
      "cluster IN ('a','b') AND node = 'n1' AND model IN ('A100') AND t > 1793613600000 AND t < 1793620800500",
    );
  });

  it('does not touch a longer variable name that starts like a shorter one, nor unknown names', () => {
    expect(expandPanelSql('$tenant_id $tenant $nope', ctx({ tenant: 'x', tenant_id: 'y' }))).toBe('y x $nope');
  });

  it('replaces $__conditionalAll by its condition, or 1=1 when All or nothing is selected', () => {
    const sql =
      'WHERE $__conditionalAll(tenant IN ($tenant), $tenant) AND $__conditionalAll(node IN (${node}), ${node})';
    expect(expandPanelSql(sql, ctx({ tenant: ['acme'], node: ['n1', 'n2'] }))).toBe(
      "WHERE tenant IN ('acme') AND node IN ('n1','n2')",
    );
    expect(expandPanelSql(sql, ctx({ tenant: ALL_VALUE, node: [ALL_VALUE] }))).toBe('WHERE 1=1 AND 1=1');
    expect(expandPanelSql(sql, ctx({ tenant: '', node: ['n1'] }))).toBe("WHERE 1=1 AND node IN ('n1')");
  });

  it('keeps nested parentheses inside a $__conditionalAll condition', () => {
    expect(expandPanelSql('$__conditionalAll(lower(x) IN (lower($v)), $v)', ctx({ v: ['A'] }))).toBe(
      "lower(x) IN (lower('A'))",
    );
  });
});
