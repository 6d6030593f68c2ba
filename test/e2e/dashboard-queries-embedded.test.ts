import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { describeDashboardQueries } from '../kits/dashboard-queries-suite.ts';

// chDB (ClickHouse 26.x in this process): panels that need a modern ClickHouse run here too.
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-dashboards-'));

describeDashboardQueries('embedded (chDB)', () => Promise.resolve(createChdbExecutor({ dataDir })));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
