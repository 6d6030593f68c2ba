/**
 * GPU quotas per tenant (migration 042), exact to a thousandth of a GPU. A change is a new row;
 * reads take the latest row per (tenant, gpu model) and skip deleted ones.
 */
import type { SqlExecutor } from './executor.ts';
import { ident, raw, sql, str } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** gpuModel '' = all models. gpuMilli 12500 = 12.5 GPUs; cpuMillicores and memoryBytes 0 = no limit. */
export interface TenantQuota {
  readonly tenant: string;
  readonly gpuModel: string;
  readonly gpuMilli: number;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  readonly updatedAtMs: number;
  readonly updatedBy: string;
}

export interface QuotaStore {
  put(quota: TenantQuota): Promise<void>;
  remove(tenant: string, gpuModel: string, atMs: number, by: string): Promise<void>;
  /** Quotas of one tenant, or of all (null), by tenant then model. */
  list(tenant: string | null): Promise<TenantQuota[]>;
}

type Raw = Record<string, unknown>;

export function createQuotaStore(executor: SqlExecutor, config: { readonly database: string }): QuotaStore {
  const db = ident(config.database);
  const insert = (q: TenantQuota, deleted: 0 | 1) =>
    executor.insert(`${config.database}.tenant_quotas`, [
      {
        tenant: q.tenant,
        gpu_model: q.gpuModel,
        gpu_milli: q.gpuMilli,
        cpu_millicores: q.cpuMillicores,
        memory_bytes: q.memoryBytes,
        updated_at_ms: q.updatedAtMs,
        updated_by: q.updatedBy,
        deleted,
      },
    ]);
  return {
    put: (q) => insert(q, 0),
    remove: (tenant, gpuModel, atMs, by) =>
      insert({ tenant, gpuModel, gpuMilli: 0, cpuMillicores: 0, memoryBytes: 0, updatedAtMs: atMs, updatedBy: by }, 1),
    async list(tenant) {
      const rows = await executor.query<Raw>(sql`
        SELECT * FROM (
          SELECT * FROM ${db}.tenant_quotas ${tenant === null ? raw(sql``) : raw(sql`WHERE tenant = ${str(tenant)}`)}
          ORDER BY tenant, gpu_model, updated_at_ms DESC LIMIT 1 BY tenant, gpu_model)
        WHERE deleted = 0 ORDER BY tenant, gpu_model`);
      return rows.map((r) => ({
        tenant: String(r['tenant']),
        gpuModel: String(r['gpu_model']),
        gpuMilli: toSafeNumber(r['gpu_milli'], 'gpu_milli'),
        cpuMillicores: toSafeNumber(r['cpu_millicores'], 'cpu_millicores'),
        memoryBytes: toSafeNumber(r['memory_bytes'], 'memory_bytes'),
        updatedAtMs: toSafeNumber(r['updated_at_ms'], 'updated_at_ms'),
        updatedBy: String(r['updated_by']),
      }));
    },
  };
}
