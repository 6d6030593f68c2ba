/**
 * Row filters over the cost ledger tables (cost_ledger and its daily pre-aggregation share the
 * column names): a principal's scope and a request's conditions, rendered into one WHERE fragment.
 * Every value goes through str() (sql.ts); field names come from a fixed map, label keys are
 * checked against the Kubernetes label-key syntax.
 */
import { labelValue } from './cost-ledger-sql.ts';
import { ident, list, raw, sql, SqlValueError, str, type SqlValue } from './sql.ts';

/** Filterable fields → their column. `controller` is the pod's owner (the ledger's workload). */
export const LEDGER_FILTER_FIELDS = {
  cluster: 'cluster',
  node: 'node',
  namespace: 'namespace',
  pod: 'pod',
  controller: 'workload',
  tenant: 'tenant',
  team: 'team',
  model: 'model',
  gpuModel: 'gpu_model',
} as const;
export type LedgerFilterField = keyof typeof LEDGER_FILTER_FIELDS;

/** `field` is one of the values (or, negated, none of them); `label:<key>` matches a pod label. */
export interface LedgerCondition {
  readonly field: LedgerFilterField | `label:${string}`;
  readonly values: readonly string[];
  readonly negate: boolean;
}

/**
 * What a principal may see: rows of this tenant / team / namespace; null = not narrowed. A scope of
 * all nulls sees everything, idle rows included; a narrowed one never sees idle rows that were not
 * shared to its tenant/team (their tenant is `__idle__`), so fleet totals cannot be inferred.
 */
export interface LedgerScope {
  readonly tenant: string | null;
  readonly team: string | null;
  readonly namespace: string | null;
}

export const UNSCOPED: LedgerScope = { tenant: null, team: null, namespace: null };

const columnOf = (field: LedgerCondition['field']): SqlValue => {
  if (field.startsWith('label:')) return raw(labelValue(field.slice(6), ident('label_keys'), ident('label_values')));
  const column = (LEDGER_FILTER_FIELDS as Record<string, string>)[field];
  if (column === undefined) throw new SqlValueError(`unknown filter field ${JSON.stringify(field)}`);
  return ident(column);
};

/** `(scope) AND (condition) AND …` over raw ledger columns; `1` when nothing narrows. */
export const ledgerWhere = (scope: LedgerScope, conditions: readonly LedgerCondition[]): SqlValue => {
  const parts: SqlValue[] = [];
  if (scope.tenant !== null) parts.push(raw(sql`tenant = ${str(scope.tenant)}`));
  if (scope.team !== null) parts.push(raw(sql`team = ${str(scope.team)}`));
  if (scope.namespace !== null) parts.push(raw(sql`namespace = ${str(scope.namespace)}`));
  for (const c of conditions) {
    const values = list(c.values.map(str));
    parts.push(
      c.negate ? raw(sql`${columnOf(c.field)} NOT IN ${values}`) : raw(sql`${columnOf(c.field)} IN ${values}`),
    );
  }
  if (parts.length === 0) return raw(sql`1`);
  return parts.reduce((a, b) => raw(sql`${a} AND ${b}`));
};
