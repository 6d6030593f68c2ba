import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { describeThinSlice } from '../thin-slice.ts';

// Embedded mode: in-process bus and chDB, nothing else running.
describeThinSlice(
  'embedded (in-process bus + chDB)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-ledger-slice-'));
    const bus = createMemoryBus({ retryDelayMs: 20 });
    const store = createTelemetryStore(createChdbExecutor({ dataDir: dir }), { database: 'slice' });
    await store.migrate();
    return {
      bus,
      store,
      async close() {
        await bus.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { PATH: process.env['PATH'] ?? '' },
);
