import type { SqlExecutor } from './executor.ts';
import { ident, sql, str, uint } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** Progress of one scheduled job (table pipeline_job_state, migration 010). */
export interface JobState {
  /** Change marks ingested before this (minus the job's overlap) were handled. */
  readonly watermarkMs: number;
  /** Windows ending at or before this were closed and computed (rollups; 0 for other jobs). */
  readonly closedBeforeMs: number;
}

interface StateRow {
  readonly watermark_ms: string | number;
  readonly closed_before_ms: string | number;
}

/** The latest state of `job`, or null before its first successful run. */
export async function readJobState(executor: SqlExecutor, database: string, job: string): Promise<JobState | null> {
  const rows = await executor.query<StateRow>(sql`
    SELECT argMax(watermark_ms, updated_at_ms) AS watermark_ms, argMax(closed_before_ms, updated_at_ms) AS closed_before_ms
    FROM ${ident(database)}.pipeline_job_state
    WHERE job = ${str(job)}
    GROUP BY job`);
  const row = rows[0];
  if (!row) return null;
  return {
    watermarkMs: toSafeNumber(row.watermark_ms, 'watermark_ms'),
    closedBeforeMs: toSafeNumber(row.closed_before_ms, 'closed_before_ms'),
  };
}

/** Records a run's progress; `updatedAtMs` (the job's clock) orders versions. */
export async function writeJobState(
  executor: SqlExecutor,
  database: string,
  job: string,
  state: JobState,
  updatedAtMs: number,
): Promise<void> {
  await executor.command(sql`
    INSERT INTO ${ident(database)}.pipeline_job_state (job, watermark_ms, closed_before_ms, updated_at_ms)
    VALUES (${str(job)}, ${uint(state.watermarkMs)}, ${uint(state.closedBeforeMs)}, ${uint(updatedAtMs)})`);
}
