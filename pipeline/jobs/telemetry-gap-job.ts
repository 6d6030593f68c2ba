import type { SqlExecutor } from '../store/executor.ts';
import { readJobState, writeJobState } from '../store/job-state.ts';
import { dirtySeqBuckets, recomputeSeqBuckets } from '../store/telemetry-gap-store.ts';
import type { ScheduledJob } from './scheduled-job.ts';

export interface TelemetryGapJobConfig {
  readonly database: string;
  /** Marks are re-read this far behind the watermark (see RollupJobConfig.overlapMs). */
  readonly overlapMs: number;
  /** Seq buckets per recompute statement (each one a range condition on ingest_batches' key). */
  readonly maxBucketsPerStatement: number;
}

export const DEFAULT_TELEMETRY_GAP_JOB_CONFIG: Omit<TelemetryGapJobConfig, 'database'> = {
  overlapMs: 60_000,
  maxBucketsPerStatement: 200,
};

export const TELEMETRY_GAP_JOB = 'telemetry-gaps';

/**
 * Keeps telemetry_seq_buckets (and so the telemetry_gaps view) current: recomputes, from the
 * deduplicated ledger, every (agent, boot, seq bucket) that flushes marked since the last run.
 */
export function createTelemetryGapJob(
  deps: { readonly executor: SqlExecutor; readonly now: () => number },
  config: TelemetryGapJobConfig,
): ScheduledJob {
  return {
    name: TELEMETRY_GAP_JOB,
    async run() {
      const nowMs = deps.now();
      const state = await readJobState(deps.executor, config.database, TELEMETRY_GAP_JOB);
      const since = state === null ? 0 : Math.max(0, state.watermarkMs - config.overlapMs);
      const buckets = await dirtySeqBuckets(deps.executor, config.database, since);
      for (let i = 0; i < buckets.length; i += config.maxBucketsPerStatement) {
        await recomputeSeqBuckets(
          deps.executor,
          config.database,
          buckets.slice(i, i + config.maxBucketsPerStatement),
          nowMs,
        );
      }
      await writeJobState(
        deps.executor,
        config.database,
        TELEMETRY_GAP_JOB,
        { watermarkMs: nowMs, closedBeforeMs: 0 },
        nowMs,
      );
      return { seqBuckets: buckets.length };
    },
  };
}
