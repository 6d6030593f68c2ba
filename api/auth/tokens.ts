/**
 * API tokens: `glt_<id>_<secret>`, 12 hex digits of id and 256 random bits of secret (base64url).
 * Only the secret's SHA-256 is stored (api-token-store.ts); the token is shown once, at creation.
 * Verification looks the id up (cached for `cacheMs`, so a revocation takes effect within it) and
 * compares hashes in constant time; expired and revoked tokens fail like unknown ones.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LedgerScope } from '../../pipeline/store/ledger-filter.ts';
import type { ApiTokenStore, StoredToken } from '../../pipeline/store/api-token-store.ts';
import { scopeLabels, scopeProblem, type Principal } from './principal.ts';
import type { RoleRegistry } from './roles-config.ts';

const TOKEN = /^glt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface CreateTokenRequest {
  readonly name: string;
  readonly role: string;
  readonly scope: LedgerScope;
  /** 0 = never. */
  readonly expiresAtMs: number;
  readonly createdBy: string;
}

export interface TokenService {
  /** Returns the token (shown once) and what is stored. Throws Error naming a bad role or scope. */
  create(request: CreateTokenRequest): Promise<{ token: string; stored: StoredToken }>;
  /** Revokes a token; false when there is no such token. */
  revoke(tokenId: string): Promise<boolean>;
  list(): Promise<StoredToken[]>;
  /** The principal of a valid bearer token, or null (unknown, malformed, expired, revoked, unknown role). */
  verify(bearer: string): Promise<Principal | null>;
}

export function createTokenService(
  store: ApiTokenStore,
  roles: RoleRegistry,
  options: { readonly now: () => number; readonly cacheMs: number },
): TokenService {
  const cache = new Map<string, { at: number; token: StoredToken | null }>();
  const lookup = async (tokenId: string): Promise<StoredToken | null> => {
    const hit = cache.get(tokenId);
    if (hit && options.now() - hit.at < options.cacheMs) return hit.token;
    const found = (await store.get(tokenId))?.token ?? null;
    if (cache.size > 10_000) cache.clear();
    cache.set(tokenId, { at: options.now(), token: found });
    return found;
  };
  return {
    async create(r) {
      const role = roles[r.role];
      if (role === undefined) throw new Error(`unknown role "${r.role}" (known: ${Object.keys(roles).join(', ')})`);
      const problem = scopeProblem(role, r.scope);
      if (problem !== null) throw new Error(problem);
      if (r.name.trim() === '') throw new Error('a token needs a name');
      const tokenId = randomBytes(6).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const stored: StoredToken = {
        tokenId,
        name: r.name,
        secretSha256: sha256(secret),
        role: role.name,
        ...scopeLabels(r.scope),
        createdAtMs: options.now(),
        createdBy: r.createdBy,
        expiresAtMs: r.expiresAtMs,
        revokedAtMs: 0,
      };
      await store.put(stored, 1);
      return { token: `glt_${tokenId}_${secret}`, stored };
    },
    async revoke(tokenId) {
      const current = await store.get(tokenId);
      if (current === null) return false;
      await store.put({ ...current.token, revokedAtMs: options.now() }, current.version + 1);
      cache.delete(tokenId);
      return true;
    },
    list: () => store.list(),
    async verify(bearer) {
      const m = TOKEN.exec(bearer);
      if (!m?.[1] || !m[2]) return null;
      const token = await lookup(m[1]);
      if (token === null) return null;
      const given = Buffer.from(sha256(m[2]), 'hex');
      const expected = Buffer.from(token.secretSha256, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const now = options.now();
      if (token.revokedAtMs !== 0 || (token.expiresAtMs !== 0 && token.expiresAtMs <= now)) return null;
      const role = roles[token.role];
      if (role === undefined) return null;
      const scope: LedgerScope = {
        tenant: token.tenant === '*' ? null : token.tenant,
        team: token.team === '' ? null : token.team,
        namespace: token.namespace === '' ? null : token.namespace,
      };
      return scopeProblem(role, scope) === null ? { id: token.tokenId, kind: 'token', role, scope } : null;
    },
  };
}
