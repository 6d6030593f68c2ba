/**
 * The audit log when its store hiccups: a ClickHouse of the test's own holds the audit log (the data
 * stays on the shared server). Stopped, the audit records wait in the bounded buffer; once it is full
 * the API refuses reads (503 audit_unavailable) rather than serve them unaudited; restarted, every
 * waiting record lands, none lost or doubled. A stop while the store is away spools the records to
 * a local file, and the next start writes them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore } from '../../pipeline/store/audit-store.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { startApi, testApiOptions, type ApiHarness } from '../helpers/api-harness.ts';
import { createPrivateStack, type PrivateStack } from '../helpers/private-stack.ts';
import { loadTestServices } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

const { clickhouseUrl } = loadTestServices(process.env);
const database = uniqueName('t_api_audit');
const MAX_PENDING = 5;

describe('audit log when its store is down', () => {
  let stack: PrivateStack;
  let data: SqlExecutor;
  let audit: SqlExecutor;
  const dir = mkdtempSync(join(tmpdir(), 'gpu-ledger-audit-'));
  const spoolPath = join(dir, 'audit-spool.jsonl');
  const options = testApiOptions(database, { audit: { maxPending: MAX_PENDING, flushIntervalMs: 50, spoolPath } });

  beforeAll(async () => {
    stack = await createPrivateStack(['clickhouse']);
    data = createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 30_000 });
    audit = createClickHouseServerExecutor({ url: stack.config.endpoints.clickhouseUrl, requestTimeoutMs: 2_000 });
    await createTelemetryStore(data, { database }).migrate();
    await createTelemetryStore(audit, { database }).migrate();
  }, 180_000);
  afterAll(async () => {
    await data?.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
    await data?.close();
    await audit?.close();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auditedIds = async () =>
    (
      await createAuditStore(audit, { database }).read({
        fromMs: 0,
        toMs: Date.now() + 1000,
        tenant: null,
        limit: 10_000,
      })
    ).map((r) => r.requestId);

  it('refuses reads once the buffer is full, and writes every record when the store is back', async () => {
    let h: ApiHarness | undefined = await startApi(data, options, Date.now, audit);
    try {
      const token = await h.token('viewer', { tenant: 'alpha' });
      const ids: string[] = [];
      const read = async () => {
        const r = await h!.get('/v1/allocation?window=24h', token);
        if (r.status !== 503 || (r.body as { code: string }).code !== 'audit_unavailable')
          ids.push(r.headers.get('x-request-id') ?? '');
        return r;
      };
      expect((await read()).status).toBe(200);
      await h.api.audit.flush();
      expect(await auditedIds()).toEqual(ids);

      await stack.stop('clickhouse');
      for (let i = 0; i < MAX_PENDING; i++) expect((await read()).status).toBe(200);
      const refused = await read();
      expect([refused.status, refused.body]).toEqual([503, expect.objectContaining({ code: 'audit_unavailable' })]);
      expect((await h.get('/readyz')).status).toBe(503);
      expect(h.api.audit.pending).toBe(MAX_PENDING);

      await stack.start('clickhouse');
      await waitFor('the buffered audit records to land', () => h!.api.audit.pending === 0, 60_000, 100);
      expect((await read()).status).toBe(200);
      await h.api.audit.flush();
      const stored = await auditedIds();
      expect(new Set(stored)).toEqual(new Set(ids));
      expect(stored).toHaveLength(ids.length);

      // Stopped while the store is away: the records go to the spool file, and the next start writes them.
      await stack.stop('clickhouse');
      expect((await read()).status).toBe(200);
      await h.close();
      h = undefined;
      expect(readFileSync(spoolPath, 'utf8').trim().split('\n')).toHaveLength(1);
      await stack.start('clickhouse');
      h = await startApi(data, options, Date.now, audit);
      expect(existsSync(spoolPath)).toBe(false);
      await waitFor('the spooled record to land', () => h!.api.audit.pending === 0, 60_000, 100);
      expect(new Set(await auditedIds())).toEqual(new Set(ids));
    } finally {
      await h?.close();
    }
  }, 300_000);
});
