import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeAlertStoreSuite } from '../../test/kits/alert-store-suite.ts';
import { createChdbExecutor } from './chdb-executor.ts';

// chDB allows one data directory per process: one for this file; the suite isolates by database.
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-alerts-'));

describeAlertStoreSuite('chDB (in-process)', () => Promise.resolve(createChdbExecutor({ dataDir })));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
