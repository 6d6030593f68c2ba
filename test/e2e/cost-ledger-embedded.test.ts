import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeCostLedgerEndToEnd } from '../kits/cost-ledger-e2e-suite.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';

// Embedded mode: chDB in this process (one data directory per process), the real tables.
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-cost-e2e-'));

describeCostLedgerEndToEnd('embedded (chDB)', () => Promise.resolve(createChdbExecutor({ dataDir })));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
