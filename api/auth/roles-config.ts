/**
 * Custom roles as data (YAML, GPU_LEDGER_API_ROLES), merged with the built-in ones:
 *
 *   roles:
 *     gpu-budget-reader: { description: budgets and allocations, permissions: [budgets:read, allocation:read] }
 *     fleet-exporter: { description: exports every tenant, permissions: [export:read], platform: true }
 *
 * A custom role may not reuse a built-in name. Validated once: one ConfigError lists every problem.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../contracts/config-error.ts';
import { BUILT_IN_ROLES, isPermission, type Role } from './permissions.ts';

const schema = z.strictObject({
  roles: z.record(
    z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a role name is lowercase letters, digits and -'),
    z.strictObject({
      description: z.string().default(''),
      permissions: z.array(z.string().refine(isPermission, 'not a permission (resource:verb)')).min(1),
      platform: z.boolean().default(false),
    }),
  ),
});

export type RoleRegistry = Readonly<Record<string, Role>>;

/** The built-in roles plus the document's; throws ConfigError listing every problem. */
export const parseRoles = (yamlText: string, origin: string): RoleRegistry => {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText) ?? { roles: {} };
  } catch (error) {
    throw new ConfigError([`${origin}: not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map(
        (i) =>
          `${origin}: ${i.path.map(String).join('.')}: ${i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message}`,
      ),
    );
  const clashes = Object.keys(parsed.data.roles).filter((name) => name in BUILT_IN_ROLES);
  if (clashes.length > 0) throw new ConfigError(clashes.map((n) => `${origin}: roles.${n}: is a built-in role`));
  const custom = Object.entries(parsed.data.roles).map(([name, r]): Role => ({
    name,
    description: r.description,
    permissions: r.permissions,
    platform: r.platform,
  }));
  return Object.freeze({ ...BUILT_IN_ROLES, ...Object.fromEntries(custom.map((r) => [r.name, r])) });
};

/** The file at `path` (null: built-in roles only); unreadable or invalid is a ConfigError. */
export const loadRoles = (path: string | null): RoleRegistry => {
  if (path === null) return BUILT_IN_ROLES;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: cannot read roles: ${(error as Error).message}`]);
  }
  return parseRoles(text, path);
};
