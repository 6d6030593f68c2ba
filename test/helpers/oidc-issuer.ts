/**
 * An OIDC issuer of the tests' own: an ES256 key pair (jose), its JWKS served over HTTP on an
 * ephemeral port, and JWTs signed with the claims the API reads (gpu_ledger_role, _tenant, …).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { OidcConfig } from '../../api/auth/oidc.ts';

export interface TestIssuer {
  readonly config: OidcConfig;
  sign(claims: { sub: string; role: string; tenant: string; team?: string }, expiresIn?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: OidcConfig = {
    issuer,
    audience: 'gpu-ledger-test',
    jwksUrl: `${issuer}/jwks.json`,
    roleClaim: 'gpu_ledger_role',
    tenantClaim: 'gpu_ledger_tenant',
    teamClaim: 'gpu_ledger_team',
    namespaceClaim: 'gpu_ledger_namespace',
  };
  return {
    config,
    sign: (c, expiresIn = '1h') =>
      new SignJWT({
        gpu_ledger_role: c.role,
        gpu_ledger_tenant: c.tenant,
        ...(c.team ? { gpu_ledger_team: c.team } : {}),
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setSubject(c.sub)
        .setIssuer(issuer)
        .setAudience(config.audience)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
