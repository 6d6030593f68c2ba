import { ConfigError } from '../../contracts/config-error.ts';

/** How long a class of tables keeps its rows (as const object + same-named union). */
export const RetentionClass = { raw: 'raw', rollup: 'rollup', ledger: 'ledger', audit: 'audit' } as const;
export type RetentionClass = (typeof RetentionClass)[keyof typeof RetentionClass];

/** An age in whole UTC days or calendar months. */
export interface MaxAge {
  readonly unit: 'day' | 'month';
  readonly count: number;
}

export interface RetentionPolicy {
  readonly maxAge: Readonly<Record<RetentionClass, MaxAge>>;
  /** Tables the job may drop partitions of, by class; every other table is left alone. */
  readonly tables: Readonly<Record<string, RetentionClass>>;
}

/** The store's tables by class; `cost_ledger` and `audit_log` name the tables other components own. */
export const DEFAULT_RETENTION_TABLES: Readonly<Record<string, RetentionClass>> = {
  gpu_samples: 'raw',
  gpu_processes: 'raw',
  model_server_samples: 'raw',
  ingest_batches: 'raw',
  ingest_dirty_windows: 'raw',
  ingest_dirty_seq_buckets: 'raw',
  telemetry_seq_buckets: 'raw',
  gpu_rollup_1m: 'rollup',
  gpu_rollup_1h: 'rollup',
  pod_rollup_1m: 'rollup',
  pod_rollup_1h: 'rollup',
  // Allocation time for the cost ledger comes from pod lifecycle: kept as long as the ledger.
  pod_events: 'ledger',
  cost_ledger: 'ledger',
  cost_ledger_windows: 'ledger',
  gpu_xid_events: 'raw',
  alert_outbox: 'raw',
  // Every alert with its evidence, and every budget change: an audit trail.
  alerts: 'audit',
  budget_changes: 'audit',
  cost_ledger_daily: 'ledger',
  cost_ledger_days: 'ledger',
  audit_log: 'audit',
};

/** Raw 14 days, rollups 13 months, cost ledger and audit 13 months (at least a year is required). */
export const DEFAULT_RETENTION: RetentionPolicy = {
  maxAge: {
    raw: { unit: 'day', count: 14 },
    rollup: { unit: 'month', count: 13 },
    ledger: { unit: 'month', count: 13 },
    audit: { unit: 'month', count: 13 },
  },
  tables: DEFAULT_RETENTION_TABLES,
};

/** `14d`, `13mo`, `2y` → MaxAge; throws a plain Error naming the input otherwise. */
export function parseMaxAge(text: string): MaxAge {
  const m = /^(\d+)(d|mo|y)$/.exec(text.trim());
  const count = Number(m?.[1]);
  if (!m || !Number.isSafeInteger(count) || count <= 0)
    throw new Error(`not a retention age: "${text}" (use e.g. 14d, 13mo, 2y)`);
  return m[2] === 'd' ? { unit: 'day', count } : { unit: 'month', count: m[2] === 'y' ? count * 12 : count };
}

const approxDays = (age: MaxAge): number => (age.unit === 'day' ? age.count : age.count * 28);

/** Checks a policy; throws one ConfigError listing every problem (ledger and audit keep at least a year). */
export function validateRetention(policy: RetentionPolicy): RetentionPolicy {
  const problems: string[] = [];
  for (const [cls, age] of Object.entries(policy.maxAge)) {
    if (!Number.isSafeInteger(age.count) || age.count <= 0)
      problems.push(`retention of ${cls}: ${age.count} ${age.unit}s is not a positive whole number`);
  }
  for (const cls of [RetentionClass.ledger, RetentionClass.audit]) {
    const age = policy.maxAge[cls];
    if (age.unit === 'day' ? age.count < 365 : age.count < 12)
      problems.push(`retention of ${cls} must be at least a year (365d or 12mo), got ${age.count} ${age.unit}s`);
  }
  if (approxDays(policy.maxAge.raw) < 1) problems.push('retention of raw rows must be at least a day');
  if (problems.length > 0) throw new ConfigError(problems);
  return policy;
}

/** The instant before which a row is older than `age` at `nowMs` (calendar months in UTC). */
export function cutoffMs(nowMs: number, age: MaxAge): number {
  if (age.unit === 'day') return nowMs - age.count * 86_400_000;
  const d = new Date(nowMs);
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth() - age.count,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/**
 * End (exclusive, epoch ms) of the time a partition covers, from its id: `YYYYMMDD` (toYYYYMMDD) is
 * one UTC day, `YYYYMM` (toYYYYMM) one month. Null for any other id (not a time partition: never dropped).
 */
export function partitionEndMs(partitionId: string): number | null {
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(partitionId);
  if (day) return Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1);
  const month = /^(\d{4})(\d{2})$/.exec(partitionId);
  if (month) return Date.UTC(Number(month[1]), Number(month[2]), 1);
  return null;
}

/** Whether every row a partition can hold is older than the cutoff: the whole partition may go. */
export function isExpired(partitionId: string, cutoff: number): boolean {
  const end = partitionEndMs(partitionId);
  return end !== null && end <= cutoff;
}
