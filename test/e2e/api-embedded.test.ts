import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { describeApiSuite } from '../kits/api-suite.ts';

// chDB allows one data directory per process: one for this file; the suite isolates by database.
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-api-'));

describeApiSuite('chDB (embedded)', () => Promise.resolve(createChdbExecutor({ dataDir })));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
