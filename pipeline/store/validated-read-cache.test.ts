import { describe, expect, it } from 'vitest';
import { cacheableTables } from './validated-read-cache.ts';

const allowed = new Set(['cost_ledger', 'cost_ledger_windows']);

describe('cacheableTables', () => {
  it("names the database's tables a query reads, quoted or not", () => {
    expect(
      cacheableTables(
        'SELECT * FROM `gl-1`.cost_ledger WHERE (a, b) IN (SELECT a, b FROM `gl-1`.`cost_ledger_windows`)',
        'gl-1',
        allowed,
      ),
    ).toEqual(['cost_ledger', 'cost_ledger_windows']);
    expect(cacheableTables('SELECT sum(x) * 0.5 FROM gl.cost_ledger', 'gl', allowed)).toEqual(['cost_ledger']);
  });

  it('refuses a query naming a table outside the list, a system table, or no table of the database', () => {
    expect(cacheableTables('SELECT * FROM gl.cost_ledger JOIN gl.audit_log USING (x)', 'gl', allowed)).toBeNull();
    expect(
      cacheableTables('SELECT * FROM gl.cost_ledger WHERE x IN (SELECT name FROM system.parts)', 'gl', allowed),
    ).toBeNull();
    expect(cacheableTables('SELECT * FROM other.cost_ledger', 'gl', allowed)).toBeNull();
    expect(cacheableTables('SELECT 1', 'gl', allowed)).toBeNull();
    // A database whose name is a prefix of another's is not mistaken for it.
    expect(cacheableTables('SELECT * FROM gl2.audit_log', 'gl', allowed)).toBeNull();
  });
});
