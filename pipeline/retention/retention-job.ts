import type { Logger } from 'pino';
import type { ScheduledJob } from '../jobs/scheduled-job.ts';
import type { SqlExecutor } from '../store/executor.ts';
import { dropPartition, listPartitions, type TablePartition } from '../store/partition-store.ts';
import { cutoffMs, isExpired, type RetentionPolicy } from './retention-policy.ts';

export interface RetentionDeps {
  readonly executor: SqlExecutor;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * Retention by dropping whole partitions (ClickHouse 18.16 has no TTL): a partition of a table in
 * the policy is dropped once everything it can hold is older than its class's max age (day
 * partitions a day at a time, month partitions once the whole month is past). Tables the policy
 * does not name, and partitions that are not days or months, are never touched.
 */
export async function applyRetention(
  deps: RetentionDeps,
  database: string,
  policy: RetentionPolicy,
): Promise<TablePartition[]> {
  const nowMs = deps.now();
  const dropped: TablePartition[] = [];
  for (const part of await listPartitions(deps.executor, database)) {
    const cls = policy.tables[part.table];
    if (cls === undefined || !isExpired(part.partitionId, cutoffMs(nowMs, policy.maxAge[cls]))) continue;
    await dropPartition(deps.executor, database, part);
    dropped.push(part);
  }
  if (dropped.length > 0) deps.logger.info({ database, dropped }, 'retention dropped expired partitions');
  return dropped;
}

export const RETENTION_JOB = 'retention';

/** applyRetention as a scheduled job. */
export function createRetentionJob(deps: RetentionDeps, database: string, policy: RetentionPolicy): ScheduledJob {
  return {
    name: RETENTION_JOB,
    async run() {
      return { droppedPartitions: (await applyRetention(deps, database, policy)).length };
    },
  };
}
