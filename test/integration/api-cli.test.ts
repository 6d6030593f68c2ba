/**
 * `gpu-ledger tokens create` and `gpu-ledger api` as real processes on the ClickHouse server: the
 * token printed once works over HTTP, a revoked one stops working, and SIGTERM stops the API within
 * its bound with the audit of the requests in the store.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditStore } from '../../pipeline/store/audit-store.ts';
import { createClickHouseServerExecutor } from '../../pipeline/store/clickhouse-server-executor.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { freePort } from '../helpers/private-stack.ts';
import { runCli } from '../helpers/run-cli.ts';
import { loadTestServices } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

const { clickhouseUrl } = loadTestServices(process.env);
const database = uniqueName('t_api_cli');
const executor = createClickHouseServerExecutor({ url: clickhouseUrl, requestTimeoutMs: 30_000 });

afterAll(async () => {
  await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  await executor.close();
});

describe('gpu-ledger api and tokens (distributed mode)', () => {
  it('serves with a token created by the CLI, refuses it once revoked, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      GPU_LEDGER_MODE: 'distributed',
      GPU_LEDGER_CLICKHOUSE_URL: clickhouseUrl,
      GPU_LEDGER_DATABASE: database,
      GPU_LEDGER_API_ADDR: `127.0.0.1:${port}`,
      GPU_LEDGER_API_TOKEN_CACHE_MS: '1',
      GPU_LEDGER_API_AUDIT_SPOOL: resolve(`.run/${database}-audit.jsonl`),
      GPU_LEDGER_LOG_LEVEL: 'warn',
    };
    const created = await runCli(
      ['tokens', 'create', '--name', 'ci', '--role', 'viewer', '--tenant', 'alpha', '--expires', '1d'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^glt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const bad = await runCli(['tokens', 'create', '--name', 'x', '--role', 'platform-admin', '--tenant', 'alpha'], env);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('platform role')]);

    const child = spawn(process.execPath, [resolve('bin/gpu-ledger.js'), 'api'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        `the API on ${url} (stderr: ${stderr})`,
        async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true,
        60_000,
        200,
      );
      const ok = await fetch(`${url}/v1/allocation?window=24h&aggregate=namespace`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ code: 200, data: [{}] });

      const id = /^glt_([0-9a-f]{12})_/.exec(token)?.[1] ?? '';
      const listed = await runCli(['tokens', 'list'], env);
      expect(listed.stdout).toMatch(new RegExp(`${id}\\s+ci\\s+viewer\\s+alpha`));
      expect(listed.stdout).not.toContain(token.slice(17));
      expect((await runCli(['tokens', 'revoke', id], env)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 20));
      const revoked = await fetch(`${url}/v1/allocation?window=24h`, { headers: { authorization: `Bearer ${token}` } });
      expect(revoked.status).toBe(401);

      const stopAt = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(12_000);
    } finally {
      child.kill('SIGKILL');
    }
    const audit = await createAuditStore(executor, { database }).read({
      fromMs: Date.now() - 600_000,
      toMs: Date.now() + 1000,
      tenant: null,
      limit: 100,
    });
    // The revoked token's request is audited as anonymous (no scope): only the valid one has tenant alpha.
    expect(audit.map((r) => [r.status, r.tenant]).sort()).toEqual([
      [200, 'alpha'],
      [401, ''],
    ]);
  }, 180_000);
});
