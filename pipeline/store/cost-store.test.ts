import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeCostStoreSuite } from '../../test/kits/cost-store-suite.ts';
import { createChdbExecutor } from './chdb-executor.ts';

// chDB allows one data directory per process: one for this file; the suite isolates by database.
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-cost-'));

describeCostStoreSuite('chDB (in-process)', () => Promise.resolve(createChdbExecutor({ dataDir })));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
