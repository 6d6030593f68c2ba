import { describe, expect, it } from 'vitest';
import { cacheableTables } from './validated-read-cache.ts';

const allowed = new Set(['cost_ledger', 'cost_ledger_windows']);

describe('cacheableTables', () => {
  it("names the database's tables a query reads, quoted or not", () => {
    expect(
      cacheableTables(
        'gl-1',
        allowed,
      )('SELECT * FROM `gl-1`.cost_ledger WHERE (a, b) IN (SELECT a, b FROM `gl-1`.`cost_ledger_windows`)'),
    ).toEqual(['cost_ledger', 'cost_ledger_windows']);
    expect(cacheableTables('gl', allowed)('SELECT sum(x) * 0.5 FROM gl.cost_ledger')).toEqual(['cost_ledger']);
  });

  it('refuses a query naming a table outside the list, a system table, or no table of the database', () => {
    const tablesOf = cacheableTables('gl', allowed);
    expect(tablesOf('SELECT * FROM gl.cost_ledger JOIN gl.audit_log USING (x)')).toBeNull();
    expect(tablesOf('SELECT * FROM gl.cost_ledger WHERE x IN (SELECT name FROM system.parts)')).toBeNull();
    expect(tablesOf('SELECT * FROM other.cost_ledger')).toBeNull();
    expect(tablesOf('SELECT 1')).toBeNull();
    // A database whose name is a prefix of another's is not mistaken for it.
    expect(tablesOf('SELECT * FROM gl2.audit_log')).toBeNull();
    // The same matcher, used again, finds the tables again (the global pattern keeps no state between uses).
    expect(tablesOf('SELECT * FROM gl.cost_ledger')).toEqual(['cost_ledger']);
    expect(tablesOf('SELECT * FROM gl.cost_ledger')).toEqual(['cost_ledger']);
  });
});
