/**
 * API bearer tokens (migration 040). Only the SHA-256 of a token's secret is stored; a revocation is
 * a new version of the token's row. Reads take each token's latest version, merged or not.
 */
import type { SqlExecutor } from './executor.ts';
import { ident, sql, str } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** A token as stored. tenant '*' = every tenant; team / namespace '' = not narrowed; 0 = never / not revoked. */
export interface StoredToken {
  readonly tokenId: string;
  readonly name: string;
  readonly secretSha256: string;
  readonly role: string;
  readonly tenant: string;
  readonly team: string;
  readonly namespace: string;
  readonly createdAtMs: number;
  readonly createdBy: string;
  readonly expiresAtMs: number;
  readonly revokedAtMs: number;
}

export interface ApiTokenStore {
  /** Writes a new token (version 1) or a new state of one (a higher version). */
  put(token: StoredToken, version: number): Promise<void>;
  /** The latest state of one token, or null. */
  get(tokenId: string): Promise<{ token: StoredToken; version: number } | null>;
  /** The latest state of every token, newest first. */
  list(): Promise<StoredToken[]>;
}

type Raw = Record<string, unknown>;

const toToken = (r: Raw): StoredToken => ({
  tokenId: String(r['token_id']),
  name: String(r['name']),
  secretSha256: String(r['secret_sha256']),
  role: String(r['role']),
  tenant: String(r['tenant']),
  team: String(r['team']),
  namespace: String(r['namespace']),
  createdAtMs: toSafeNumber(r['created_at_ms'], 'created_at_ms'),
  createdBy: String(r['created_by']),
  expiresAtMs: toSafeNumber(r['expires_at_ms'], 'expires_at_ms'),
  revokedAtMs: toSafeNumber(r['revoked_at_ms'], 'revoked_at_ms'),
});

export function createApiTokenStore(executor: SqlExecutor, config: { readonly database: string }): ApiTokenStore {
  const db = ident(config.database);
  return {
    async put(t, version) {
      await executor.insert(`${config.database}.api_tokens`, [
        {
          token_id: t.tokenId,
          name: t.name,
          secret_sha256: t.secretSha256,
          role: t.role,
          tenant: t.tenant,
          team: t.team,
          namespace: t.namespace,
          created_at_ms: t.createdAtMs,
          created_by: t.createdBy,
          expires_at_ms: t.expiresAtMs,
          revoked_at_ms: t.revokedAtMs,
          version,
        },
      ]);
    },
    async get(tokenId) {
      const [row] = await executor.query<Raw>(sql`
        SELECT * FROM ${db}.api_tokens WHERE token_id = ${str(tokenId)} ORDER BY version DESC LIMIT 1`);
      return row ? { token: toToken(row), version: toSafeNumber(row['version'], 'version') } : null;
    },
    async list() {
      const rows = await executor.query<Raw>(sql`
        SELECT * FROM ${db}.api_tokens ORDER BY token_id, version DESC LIMIT 1 BY token_id`);
      return rows.map(toToken).sort((a, b) => b.createdAtMs - a.createdAtMs || a.tokenId.localeCompare(b.tokenId));
    },
  };
}
