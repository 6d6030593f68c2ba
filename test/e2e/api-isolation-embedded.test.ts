import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { describeApiIsolationSuite } from '../kits/api-isolation-suite.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-api-iso-'));

describeApiIsolationSuite('chDB (embedded)', () => Promise.resolve(createChdbExecutor({ dataDir })), 4);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
