/**
 * The audit log's retention on the real table (chDB): a month partition is dropped once the whole
 * month is older than 13 months, never before (a record 12 months and 30 days old stays).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../pipeline/retention/retention-job.ts';
import { DEFAULT_RETENTION } from '../../pipeline/retention/retention-policy.ts';
import { createAuditStore, type AuditRecord } from '../../pipeline/store/audit-store.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { testLogger } from '../helpers/services.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-audit-ret-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const NOW = Date.UTC(2026, 11, 3, 12);
const record = (requestId: string, atMs: number): AuditRecord => ({
  requestId,
  atMs,
  principal: 'tok',
  principalKind: 'token',
  role: 'viewer',
  tenant: 'acme',
  team: '',
  namespace: '',
  method: 'GET',
  route: '/v1/allocation',
  path: '/v1/allocation',
  filters: '{}',
  rows: 1,
  status: 200,
  durationMs: 3,
  clientIp: '127.0.0.1',
});

describe('audit log retention (chDB)', () => {
  it('drops whole months older than 13 months, and nothing younger', async () => {
    const executor = createChdbExecutor({ dataDir });
    const database = 'audit_retention';
    await createTelemetryStore(executor, { database }).migrate();
    const audit = createAuditStore(executor, { database });
    await audit.write([
      record('old', Date.UTC(2025, 9, 31, 23)), // October 2025: all of it older than 13 months
      record('edge', Date.UTC(2025, 10, 4)), // November 2025: 12 months 29 days old, its month not wholly expired
      record('recent', Date.UTC(2026, 10, 30)),
    ]);
    const dropped = await applyRetention(
      { executor, now: () => NOW, logger: testLogger('retention') },
      database,
      DEFAULT_RETENTION,
    );
    expect(dropped).toEqual([{ table: 'audit_log', partitionId: '202510' }]);
    const left = await audit.read({ fromMs: 0, toMs: NOW, tenant: null, limit: 10 });
    expect(left.map((r) => r.requestId).sort()).toEqual(['edge', 'recent']);
    await executor.close();
  });
});
