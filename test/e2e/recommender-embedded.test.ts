import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeRecommenderEndToEnd } from '../kits/recommender-e2e-suite.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';

// Embedded mode: chDB in this process (one data directory per process), the real tables.
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-recommend-e2e-'));

describeRecommenderEndToEnd('embedded (chDB)', () => Promise.resolve(createChdbExecutor({ dataDir })));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
