/**
 * Optional SSO: an OIDC ID or access token (a JWT) verified against the issuer's JWKS (jose), with
 * the issuer and audience checked. The role and scope come from claims (names configurable):
 * `gpu_ledger_role`, `gpu_ledger_tenant` ('*' for platform roles), `gpu_ledger_team`,
 * `gpu_ledger_namespace`. A JWT that fails any check is treated like an unknown token.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { LedgerScope } from '../../pipeline/store/ledger-filter.ts';
import { scopeProblem, type Principal } from './principal.ts';
import type { RoleRegistry } from './roles-config.ts';

export interface OidcConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly roleClaim: string;
  readonly tenantClaim: string;
  readonly teamClaim: string;
  readonly namespaceClaim: string;
}

export interface OidcVerifier {
  verify(jwt: string): Promise<Principal | null>;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const looksLikeJwt = (bearer: string): boolean => JWT.test(bearer);

export function createOidcVerifier(config: OidcConfig, roles: RoleRegistry, keys?: JWTVerifyGetKey): OidcVerifier {
  const jwks = keys ?? createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000 });
  const claim = (payload: Record<string, unknown>, name: string): string | null => {
    const v = payload[name];
    return typeof v === 'string' && v !== '' ? v : null;
  };
  return {
    async verify(jwt) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(jwt, jwks, { issuer: config.issuer, audience: config.audience }));
      } catch {
        return null;
      }
      const role = roles[claim(payload, config.roleClaim) ?? ''];
      const tenant = claim(payload, config.tenantClaim);
      if (role === undefined || tenant === null || typeof payload.sub !== 'string') return null;
      const scope: LedgerScope = {
        tenant: tenant === '*' ? null : tenant,
        team: claim(payload, config.teamClaim),
        namespace: claim(payload, config.namespaceClaim),
      };
      return scopeProblem(role, scope) === null ? { id: `oidc:${payload.sub}`, kind: 'oidc', role, scope } : null;
    },
  };
}
