import type { LedgerScope } from '../../pipeline/store/ledger-filter.ts';
import { ApiError, ApiErrorCode } from '../errors.ts';
import type { Permission, Role } from './permissions.ts';

/** Who is calling: an API token or an OIDC identity, bound to one role and one scope. */
export interface Principal {
  /** Token id, or the OIDC subject (`oidc:<sub>`). Never a secret. */
  readonly id: string;
  readonly kind: 'token' | 'oidc';
  readonly role: Role;
  /** tenant null: every tenant (platform roles). */
  readonly scope: LedgerScope;
}

/** Throws 403 unless the principal's role grants the permission. */
export const requirePermission = (principal: Principal, permission: Permission): void => {
  if (!principal.role.permissions.includes(permission))
    throw new ApiError(ApiErrorCode.forbidden, `role ${principal.role.name} lacks ${permission}`);
};

/** The scope as stored and audited: '*' for every tenant, '' for a team/namespace not narrowed. */
export const scopeLabels = (scope: LedgerScope) => ({
  tenant: scope.tenant ?? '*',
  team: scope.team ?? '',
  namespace: scope.namespace ?? '',
});

/**
 * The scope a role may have: a platform role needs every tenant, any other role one tenant. Returns
 * the problem, or null.
 */
export const scopeProblem = (role: Role, scope: LedgerScope): string | null => {
  if (role.platform && scope.tenant !== null) return `role ${role.name} is a platform role: its tenant must be *`;
  if (!role.platform && scope.tenant === null) return `role ${role.name} needs one tenant (not *)`;
  return null;
};
