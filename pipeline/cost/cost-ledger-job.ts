/**
 * The cost ledger job: fetch (store/ledger-inputs-store.ts) → compute (computeCostLedger, pure) → write
 * (cost-store.ts), one closed window at a time (hourly by default).
 *
 * - Closed: a window is computed once it ended `closeDelayMs` ago (late telemetry lands first).
 * - Idempotent: computing a window again replaces its rows (cost_ledger is versioned per window,
 *   migration 020): a repeated run, a replayed batch or two pipelines at once never double count.
 * - Catch-up: progress (the end of the last computed window) is kept in pipeline_job_state; a run
 *   computes every closed window since then, oldest first, recording progress after each one, so a
 *   pipeline that was down catches up, and a crash resumes where it stopped. At most
 *   `maxCatchUpWindows` back (older windows are logged as skipped; `run({ fromMs })` recomputes any
 *   range on request). The first run starts at the earliest GPU sample.
 * - Late telemetry: a computed window that GPU samples landed in afterwards (an agent's spool
 *   replayed after an outage longer than closeDelayMs) is computed again. The ingest pipeline's
 *   change marks (migration 006) say which windows got rows and when; each run reads the marks
 *   written since the previous run (minus `lateOverlapMs` for inserts in flight), keeping its own
 *   watermark under COST_LEDGER_LATE_STATE.
 * - Allocation times come from pod events only; samples give the inventory and the usage.
 */
import type { Logger } from 'pino';
import type { SqlExecutor } from '../store/executor.ts';
import { createCostStore } from '../store/cost-store.ts';
import { readJobState, writeJobState } from '../store/job-state.ts';
import { readDirtyMarks } from '../store/rollup-store.ts';
import { computeWindowLedgers, eventsByCluster } from './compute-window-ledgers.ts';
import { DEFAULT_COST_CONFIG, type CostConfig } from './cost-config.ts';
import { createLedgerInputs } from '../store/ledger-inputs-store.ts';
import type { PriceCatalog } from './price-catalog.ts';
import { createPriceLookup } from './price-lookup.ts';
import type { PodEvent } from '../../contracts/pod-event.ts';

export const COST_LEDGER_JOB = 'cost-ledger';
/** The late-telemetry watermark's key in pipeline_job_state (change marks before it were handled). */
export const COST_LEDGER_LATE_STATE = 'cost-ledger-late';

export interface CostLedgerJobOptions {
  readonly windowMs: number;
  readonly closeDelayMs: number;
  /** A GPU sample's span reaches back at most this far (store/ledger-inputs-store.ts). */
  readonly maxGapMs: number;
  readonly processSkewMs: number;
  /** Node appearing/vanishing mid-window (gpu-inventory.ts). */
  readonly edgeToleranceMs: number;
  /** How far outside a window GPU samples are looked for, so that a silent agent does not end its node (gpu-inventory.ts). */
  readonly bridgeMs: number;
  readonly maxCatchUpWindows: number;
  /** Change marks this old before the previous run are read again (an insert in flight then wrote its marks late). */
  readonly lateOverlapMs: number;
  /** Problems kept per window in cost_ledger_windows (all are counted and logged). */
  readonly maxProblemsStored: number;
  readonly cost: CostConfig;
}

export const DEFAULT_COST_LEDGER_JOB_OPTIONS: CostLedgerJobOptions = {
  windowMs: 3_600_000,
  closeDelayMs: 15 * 60_000,
  maxGapMs: 60_000,
  processSkewMs: 10 * 60_000,
  edgeToleranceMs: 5 * 60_000,
  bridgeMs: 60 * 60_000,
  maxCatchUpWindows: 24 * 7,
  lateOverlapMs: 60_000,
  maxProblemsStored: 50,
  cost: DEFAULT_COST_CONFIG,
};

export interface CostLedgerRunOptions {
  /** Recompute from here (rounded down to a window), whatever was computed before. */
  readonly fromMs?: number;
  /** Compute no window ending after this. */
  readonly untilMs?: number;
}

/** Counts of one run (numbers only, so the job fits the pipeline's job scheduler). */
export type CostLedgerRunResult = {
  readonly windows: number;
  readonly computations: number;
  readonly rows: number;
  readonly problems: number;
  readonly fleetCostUsd: number;
  /** Windows ending at or before this are computed (0: nothing yet). */
  readonly closedBeforeMs: number;
};

export interface CostLedgerJob {
  readonly name: string;
  run(options?: CostLedgerRunOptions): Promise<CostLedgerRunResult>;
}

export interface CostLedgerJobSource {
  readonly executor: SqlExecutor;
  readonly database: string;
  readonly catalog: PriceCatalog;
  readonly options?: Partial<CostLedgerJobOptions>;
}

export function createCostLedgerJob(
  source: CostLedgerJobSource,
  deps: { readonly now: () => number; readonly logger: Logger },
): CostLedgerJob {
  const o: CostLedgerJobOptions = { ...DEFAULT_COST_LEDGER_JOB_OPTIONS, ...source.options };
  const { executor, database } = source;
  const prices = createPriceLookup(source.catalog);
  const inputs = createLedgerInputs(executor, {
    database,
    maxGapMs: o.maxGapMs,
    processSkewMs: o.processSkewMs,
    bridgeMs: o.bridgeMs,
  });
  const store = createCostStore(executor, { database });
  const floorW = (ms: number) => Math.floor(ms / o.windowMs) * o.windowMs;
  const now = () => Math.floor(deps.now()); // stored as UInt64 milliseconds

  /** Computes and writes every cluster of one window; returns [computations, rows, problems, fleet cost]. */
  const computeWindow = async (windowStartMs: number, windowEndMs: number, events: ReadonlyMap<string, PodEvent[]>) => {
    const range = { fromMs: windowStartMs, toMs: windowEndMs };
    const gpus = await inputs.inventory(range);
    const usage = await inputs.usage(range);
    const previous = new Map((await store.windows(range)).map((w) => [w.cluster, w.computedAtMs]));
    const totals = { computations: 0, rows: 0, problems: 0, fleetCostUsd: 0 };
    const ledgers = computeWindowLedgers(
      { windowStartMs, windowEndMs },
      { gpus, usage, events, keepClusters: new Set(previous.keys()) },
      { prices, cost: o.cost, edgeToleranceMs: o.edgeToleranceMs },
    );
    for (const { cluster, result, problems } of ledgers) {
      // Strictly later than the computation it replaces, even within one millisecond.
      const computedAtMs = Math.max(now(), (previous.get(cluster) ?? -1) + 1);
      await store.write({
        cluster,
        windowStartMs,
        windowEndMs,
        computedAtMs,
        rows: result.rows,
        fleetCostUsd: result.fleetCostUsd,
        problems: problems.slice(0, o.maxProblemsStored),
      });
      if (problems.length > 0) {
        deps.logger.warn(
          { cluster, windowStartMs, problems: problems.length, first: problems.slice(0, 3) },
          'cost ledger window has problems (see cost_ledger_windows)',
        );
      }
      totals.computations += 1;
      totals.rows += result.rows.length;
      totals.problems += problems.length;
      totals.fleetCostUsd += result.fleetCostUsd;
    }
    return totals;
  };

  /** Computed windows (before `computedBeforeMs`, not before `oldestMs`) that samples landed in since `sinceMs`. */
  const lateWindows = async (sinceMs: number, computedBeforeMs: number, oldestMs: number): Promise<number[]> => {
    const marks = await readDirtyMarks(executor, database, Math.max(0, sinceMs - o.lateOverlapMs));
    const windows = new Set(
      marks.map((m) => floorW(m.windowStartMs)).filter((w) => w < computedBeforeMs && w >= oldestMs),
    );
    return [...windows].sort((a, b) => a - b);
  };

  return {
    name: COST_LEDGER_JOB,
    async run(options = {}) {
      const closed = floorW(Math.min(now() - o.closeDelayMs, options.untilMs ?? Infinity));
      const state = await readJobState(executor, database, COST_LEDGER_JOB);
      let progress = state?.closedBeforeMs ?? null;
      const oldest = closed - o.maxCatchUpWindows * o.windowMs;
      let start: number | null;
      if (options.fromMs !== undefined) start = floorW(options.fromMs);
      else if (progress !== null) start = Math.max(progress, oldest);
      else {
        const first = await inputs.earliestSampleMs({ fromMs: Math.max(0, oldest), toMs: Math.max(1, closed) });
        start = first === null ? null : floorW(first);
      }
      if (options.fromMs === undefined && progress !== null && progress < oldest) {
        deps.logger.warn(
          { fromMs: progress, toMs: oldest },
          'cost ledger: windows older than maxCatchUpWindows skipped; run with fromMs to compute them',
        );
      }
      const result = { windows: 0, computations: 0, rows: 0, problems: 0, fleetCostUsd: 0 };
      // Late telemetry: only on scheduled runs, for the windows computed before this run (before progress).
      const runAtMs = now();
      const watchesLate = options.fromMs === undefined && progress !== null;
      const lateState = watchesLate ? await readJobState(executor, database, COST_LEDGER_LATE_STATE) : null;
      const late =
        lateState === null || progress === null ? [] : await lateWindows(lateState.watermarkMs, progress, oldest);
      const windowStarts = [...late];
      if (start !== null) for (let w = start; w < closed; w += o.windowMs) windowStarts.push(w);
      const markLateHandled = () =>
        watchesLate
          ? writeJobState(
              executor,
              database,
              COST_LEDGER_LATE_STATE,
              { watermarkMs: runAtMs, closedBeforeMs: 0 },
              runAtMs,
            )
          : Promise.resolve();
      if (windowStarts.length === 0) {
        await markLateHandled();
        return { ...result, closedBeforeMs: progress ?? 0 };
      }

      const events = eventsByCluster(
        await inputs.podEvents({
          fromMs: windowStarts[0]!,
          toMs: Math.max(closed, windowStarts[windowStarts.length - 1]! + o.windowMs),
        }),
      );
      if (late.length > 0)
        deps.logger.info(
          { windows: late.map((w) => new Date(w).toISOString()) },
          'cost ledger: recomputing windows that late telemetry landed in',
        );
      for (const windowStartMs of windowStarts) {
        const windowEndMs = windowStartMs + o.windowMs;
        const totals = await computeWindow(windowStartMs, windowEndMs, events);
        result.windows += 1;
        result.computations += totals.computations;
        result.rows += totals.rows;
        result.problems += totals.problems;
        result.fleetCostUsd += totals.fleetCostUsd;
        // Progress only moves forward over contiguous windows (a recomputation far back moves nothing).
        if ((progress === null || windowStartMs <= progress) && windowEndMs > (progress ?? -Infinity)) {
          progress = windowEndMs;
          // Versioned by the progress itself: the furthest progress wins whatever the writers' clocks.
          await writeJobState(
            executor,
            database,
            COST_LEDGER_JOB,
            { watermarkMs: now(), closedBeforeMs: progress },
            progress,
          );
        }
      }
      await markLateHandled();
      deps.logger.info(
        { ...result, fromMs: windowStarts[0], toMs: closed, lateWindows: late.length },
        'cost ledger computed',
      );
      return { ...result, closedBeforeMs: progress ?? 0 };
    },
  };
}
