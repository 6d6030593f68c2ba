import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStoreConformance } from '../../test/store-conformance.ts';
import { createChdbExecutor } from './chdb-executor.ts';

// chDB allows one data directory per process: one directory for this file, databases isolate tests.
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-chdb-'));

describeStoreConformance('chDB (in-process)', () => Promise.resolve(createChdbExecutor({ dataDir })));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
