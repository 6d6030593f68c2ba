import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/config-error.ts';
import { BUILT_IN_ROLES } from './permissions.ts';
import { scopeProblem } from './principal.ts';
import { parseRoles } from './roles-config.ts';

describe('roles', () => {
  it('has more than 20 built-in roles; only auditor roles read the audit log', () => {
    expect(Object.keys(BUILT_IN_ROLES).length).toBeGreaterThan(20);
    expect(
      Object.values(BUILT_IN_ROLES)
        .filter((r) => r.permissions.includes('audit:read'))
        .map((r) => r.name),
    ).toEqual(['auditor', 'compliance-officer', 'platform-auditor']);
  });

  it('adds custom roles as data, refusing bad ones with every problem listed', () => {
    const roles = parseRoles(
      'roles:\n  gpu-budget-reader: { description: budgets, permissions: [budgets:read, allocation:read] }\n  fleet-exporter: { permissions: [export:read], platform: true }\n',
      'roles.yaml',
    );
    expect(roles['gpu-budget-reader']).toEqual({
      name: 'gpu-budget-reader',
      description: 'budgets',
      permissions: ['budgets:read', 'allocation:read'],
      platform: false,
    });
    expect(scopeProblem(roles['fleet-exporter']!, { tenant: 'acme', team: null, namespace: null })).toMatch(
      /platform role/,
    );
    expect(scopeProblem(roles['viewer']!, { tenant: null, team: null, namespace: null })).toMatch(/needs one tenant/);
    let error: unknown;
    try {
      parseRoles(
        'roles:\n  Bad: { permissions: [allocation:read] }\n  printer: { permissions: [money:print] }\n',
        'r.yaml',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/roles\.Bad.*lowercase/s);
    expect((error as ConfigError).message).toMatch(/roles\.printer\.permissions\.0: not a permission/);
    expect(() => parseRoles('roles:\n  viewer: { permissions: [allocation:read] }\n', 'r.yaml')).toThrow(
      /roles\.viewer: is a built-in role/,
    );
  });
});
