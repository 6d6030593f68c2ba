import type { Command } from 'commander';
import { loadRoles } from '../../api/auth/roles-config.ts';
import { createTokenService } from '../../api/auth/tokens.ts';
import { createApiTokenStore } from '../../pipeline/store/api-token-store.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { parseDuration } from '../parse-duration.ts';
import { openStore } from '../wiring.ts';

const iso = (ms: number) => (ms === 0 ? '-' : new Date(ms).toISOString());

/** `gpu-ledger tokens create|list|revoke`: API bearer tokens (the secret is shown once, at creation). */
export function registerTokensCommand(program: Command, ctx: CliContext): void {
  const tokens = program.command('tokens').description('API bearer tokens: create (shown once), list, revoke');
  const withService = async <T>(fn: (service: ReturnType<typeof createTokenService>) => Promise<T>): Promise<T> => {
    const config = ctx.config();
    const store = await openStore(config);
    try {
      const service = createTokenService(
        createApiTokenStore(store.executor, { database: store.database }),
        loadRoles(config.api.rolesPath),
        { now: Date.now, cacheMs: 0 },
      );
      return await fn(service);
    } finally {
      await store.close();
    }
  };

  tokens
    .command('create')
    .description('create a token; prints it once (only its SHA-256 is stored)')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption('--role <role>', 'a built-in or custom role (api/README.md)')
    .requiredOption('--tenant <tenant>', 'the tenant it may see, * for every tenant (platform roles)')
    .option('--team <team>', 'narrow to one team')
    .option('--namespace <namespace>', 'narrow to one namespace')
    .option('--expires <duration>', 'lifetime, e.g. 90d (default: never)')
    .action(
      async (o: {
        name: string;
        role: string;
        tenant: string;
        team?: string;
        namespace?: string;
        expires?: string;
      }) => {
        const expiresAtMs = o.expires === undefined ? 0 : Date.now() + parseDuration(o.expires);
        const { token, stored } = await withService((s) =>
          s.create({
            name: o.name,
            role: o.role,
            scope: { tenant: o.tenant === '*' ? null : o.tenant, team: o.team ?? null, namespace: o.namespace ?? null },
            expiresAtMs,
            createdBy: `cli:${ctx.env['USER'] ?? 'unknown'}`,
          }),
        );
        console.error(`token ${stored.tokenId} (${stored.role}, tenant ${stored.tenant}) — shown once, store it now:`);
        console.log(token);
      },
    );

  tokens
    .command('list')
    .description('every token: id, name, role, scope, created, expires, revoked (never the secret)')
    .action(async () => {
      const list = await withService((s) => s.list());
      console.log(
        formatTable(
          ['id', 'name', 'role', 'tenant', 'team', 'namespace', 'created', 'expires', 'revoked'],
          list.map((t) => [
            t.tokenId,
            t.name,
            t.role,
            t.tenant,
            t.team || '-',
            t.namespace || '-',
            iso(t.createdAtMs),
            iso(t.expiresAtMs),
            iso(t.revokedAtMs),
          ]),
        ),
      );
    });

  tokens
    .command('revoke <id>')
    .description('revoke a token (the API stops accepting it within GPU_LEDGER_API_TOKEN_CACHE_MS)')
    .action(async (id: string) => {
      if (!(await withService((s) => s.revoke(id)))) throw new Error(`no token ${id}`);
      console.log(`token ${id} revoked`);
    });
}
