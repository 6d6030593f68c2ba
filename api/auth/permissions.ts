/**
 * Permissions are resource × verb (`allocation:read`, `budgets:write`, `tokens:admin`, …); a role is
 * a named set of them. Built-in roles below, from viewer to platform-admin and auditor; custom roles
 * come as data (roles-config.ts). A token or an OIDC identity binds one role to a scope (a tenant,
 * optionally narrowed to a team or namespace); platform roles require the scope of every tenant.
 */
export const RESOURCES = [
  'allocation',
  'models',
  'quotas',
  'budgets',
  'alerts',
  'recommendations',
  'hints',
  'export',
  'audit',
  'tokens',
  'metrics',
] as const;
export type Resource = (typeof RESOURCES)[number];
export const VERBS = ['read', 'write', 'admin'] as const;
export type Verb = (typeof VERBS)[number];
export type Permission = `${Resource}:${Verb}`;

export const isPermission = (p: string): p is Permission => {
  const [resource, verb, ...rest] = p.split(':');
  return (
    rest.length === 0 &&
    (RESOURCES as readonly string[]).includes(resource ?? '') &&
    (VERBS as readonly string[]).includes(verb ?? '')
  );
};

export interface Role {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
  /** Only with the scope of every tenant (tenant '*'). */
  readonly platform: boolean;
}

const COST_READS: readonly Permission[] = ['allocation:read', 'models:read', 'quotas:read'];
const ALL_READS: readonly Permission[] = [
  ...COST_READS,
  'budgets:read',
  'alerts:read',
  'recommendations:read',
  'hints:read',
];

const role = (name: string, description: string, permissions: readonly Permission[], platform = false): Role => ({
  name,
  description,
  permissions,
  platform,
});

/** The built-in roles, by name. The audit log is readable only by the auditor roles. */
export const BUILT_IN_ROLES: Readonly<Record<string, Role>> = Object.fromEntries(
  [
    role('viewer', 'reads every cost view of its scope', ALL_READS),
    role('cost-viewer', 'allocations and model cost', ['allocation:read', 'models:read']),
    role('model-cost-viewer', 'model cost and $/1M tokens only', ['models:read']),
    role('quota-viewer', 'quotas against usage', ['quotas:read']),
    role('budget-viewer', 'budgets and their burn', ['budgets:read']),
    role('budget-owner', 'sets the budgets of its scope', ['allocation:read', 'budgets:read', 'budgets:write']),
    role('alert-viewer', 'alerts', ['alerts:read']),
    role('alert-responder', 'acknowledges and resolves alerts', ['alerts:read', 'alerts:write']),
    role('recommendation-viewer', 'recommendations and scheduler hints', ['recommendations:read', 'hints:read']),
    role('optimizer', 'accepts or dismisses recommendations', [
      'allocation:read',
      'recommendations:read',
      'recommendations:write',
      'hints:read',
    ]),
    role('finops-analyst', 'every cost view and the FOCUS export', [...ALL_READS, 'export:read']),
    role('billing-exporter', 'the FOCUS export only (a billing system)', ['export:read']),
    role('tenant-admin', 'everything of its tenant but the audit log', [
      ...ALL_READS,
      'export:read',
      'budgets:write',
      'alerts:write',
      'recommendations:write',
      'tokens:admin',
    ]),
    role('auditor', 'the audit log of its scope', ['audit:read']),
    role('compliance-officer', 'the audit log and every cost view of its scope', [...ALL_READS, 'audit:read']),
    role('metrics-scraper', 'the API self-metrics (/metrics)', ['metrics:read'], true),
    role('platform-viewer', 'every cost view of every tenant', ALL_READS, true),
    role('platform-analyst', 'every cost view and export of every tenant', [...ALL_READS, 'export:read'], true),
    role('quota-admin', 'sets tenant quotas', ['quotas:read', 'quotas:write'], true),
    role('token-admin', 'creates and revokes tokens of every tenant', ['tokens:admin'], true),
    role('platform-auditor', 'the audit log of every tenant', ['audit:read'], true),
    role(
      'platform-admin',
      'everything but the audit log',
      [
        ...ALL_READS,
        'export:read',
        'budgets:write',
        'alerts:write',
        'recommendations:write',
        'quotas:write',
        'tokens:admin',
        'metrics:read',
      ],
      true,
    ),
  ].map((r) => [r.name, r]),
);
