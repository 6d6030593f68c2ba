import type { SqlExecutor } from '../store/executor.ts';
import { readJobState, writeJobState } from '../store/job-state.ts';
import { ROLLUP_WINDOW_MS } from '../store/rollup-sql.ts';
import { nodesWithMinuteRollups, readDirtyMarks, recomputeHour, recomputeMinutes } from '../store/rollup-store.ts';
import { marksSinceMs, minuteChunks, planRollups, slices } from './rollup-plan.ts';
import type { ScheduledJob } from './scheduled-job.ts';

export interface RollupJobConfig {
  readonly database: string;
  /** A sample's interval reaches back at most this far (longer gaps are telemetry gaps, not coverage). */
  readonly maxGapMs: number;
  /** A window is computed once it ended this long ago; later data recomputes it. */
  readonly closeDelayMs: number;
  /** Marks are re-read this far behind the last run: longer than any insert in flight plus clock skew between pipeline hosts. */
  readonly overlapMs: number;
  /** Nodes × minutes per 1-minute statement (bounds its memory: ~8 GPUs × 120 samples per node-minute). */
  readonly maxNodeMinutesPerStatement: number;
  /** Nodes per 1-hour statement (its p95 reads an hour of their distinct samples). */
  readonly maxNodesPerHourStatement: number;
}

export const DEFAULT_ROLLUP_JOB_CONFIG: Omit<RollupJobConfig, 'database'> = {
  maxGapMs: 60_000,
  closeDelayMs: 60_000,
  overlapMs: 60_000,
  maxNodeMinutesPerStatement: 256,
  maxNodesPerHourStatement: 32,
};

export const ROLLUP_JOB = 'rollups';

/**
 * Recomputes per-device and per-pod rollups (1 minute, 1 hour) of closed windows from the
 * deduplicated raw rows, for the windows and nodes flushes marked (rollup-plan.ts), in statements
 * of bounded size scoped by (cluster, node), the raw tables' key prefix. Every statement replaces
 * whole windows of its nodes (ReplacingMergeTree, version = the run's clock), so a replayed batch,
 * a repeated run or two pipelines at once change nothing. Hours are composed from their minutes,
 * so minutes go first.
 */
export function createRollupJob(
  deps: { readonly executor: SqlExecutor; readonly now: () => number },
  config: RollupJobConfig,
): ScheduledJob {
  const { executor } = deps;
  const scope = (computedAtMs: number) => ({ database: config.database, maxGapMs: config.maxGapMs, computedAtMs });
  return {
    name: ROLLUP_JOB,
    async run() {
      const nowMs = deps.now();
      const previous = await readJobState(executor, config.database, ROLLUP_JOB);
      const marks = await readDirtyMarks(
        executor,
        config.database,
        marksSinceMs(previous, config.maxGapMs, config.overlapMs),
      );
      const plan = planRollups({
        marks,
        previous,
        nowMs,
        closeDelayMs: config.closeDelayMs,
        maxGapMs: config.maxGapMs,
        overlapMs: config.overlapMs,
      });
      let statements = 0;
      for (const chunk of minuteChunks(plan.minutes, config.maxNodeMinutesPerStatement)) {
        await recomputeMinutes(executor, { ...scope(nowMs), ...chunk });
        statements += 1;
      }
      for (const [hourMs, planned] of plan.hours) {
        const toMs = hourMs + ROLLUP_WINDOW_MS['1h'];
        const nodes =
          planned === 'all' ? await nodesWithMinuteRollups(executor, config.database, hourMs, toMs) : planned;
        for (const slice of slices(nodes, config.maxNodesPerHourStatement)) {
          await recomputeHour(executor, { ...scope(nowMs), fromMs: hourMs, toMs, nodes: slice });
          statements += 1;
        }
      }
      await writeJobState(
        executor,
        config.database,
        ROLLUP_JOB,
        { watermarkMs: nowMs, closedBeforeMs: plan.closedBeforeMs },
        nowMs,
      );
      return { minuteWindows: plan.minutes.size, hourWindows: plan.hours.size, statements };
    },
  };
}
