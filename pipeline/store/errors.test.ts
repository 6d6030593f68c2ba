import { describe, expect, it } from 'vitest';
import { clickHouseCodeOf, storeErrorFromCode, StoreQueryError, StoreUnavailableError } from './errors.ts';

describe('store errors', () => {
  it('reads the exception code from 18.16 and modern messages', () => {
    expect(clickHouseCodeOf('Code: 62, e.displayText() = DB::Exception: Syntax error')).toBe(62);
    expect(clickHouseCodeOf('Code: 60. DB::Exception: Table x.y does not exist. (UNKNOWN_TABLE)')).toBe(60);
    expect(clickHouseCodeOf('connect ECONNREFUSED 127.0.0.1:18123')).toBeUndefined();
  });

  it('maps overload codes to retriable errors and the rest to query errors', () => {
    const busy = storeErrorFromCode(202, 'Too many simultaneous queries', 'SELECT 1', undefined);
    expect(busy).toBeInstanceOf(StoreUnavailableError);
    expect(busy.retriable).toBe(true);
    const bad = storeErrorFromCode(62, 'Syntax error', `SELECT '${'x'.repeat(500)}'`, undefined);
    expect(bad).toBeInstanceOf(StoreQueryError);
    expect(bad).toMatchObject({ retriable: false, clickhouseCode: 62, code: 'STORE_QUERY' });
    expect(bad.query.length).toBeLessThanOrEqual(201);
  });
});
