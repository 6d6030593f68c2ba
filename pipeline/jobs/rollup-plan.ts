import type { JobState } from '../store/job-state.ts';
import { ROLLUP_WINDOW_MS } from '../store/rollup-sql.ts';
import type { NodeRef } from '../store/sample-sql.ts';
import type { DirtyMark } from '../store/rollup-store.ts';

const MINUTE_MS = ROLLUP_WINDOW_MS['1m'];
const HOUR_MS = ROLLUP_WINDOW_MS['1h'];
const floorTo = (ms: number, step: number): number => Math.floor(ms / step) * step;
const reachOf = (maxGapMs: number): number => Math.ceil(maxGapMs / MINUTE_MS);
const keyOf = (n: NodeRef): string => `${n.cluster}\u0000${n.node}`;

export interface RollupPlanInput {
  /** Change marks read from marksSinceMs(previous, …) on. */
  readonly marks: readonly DirtyMark[];
  /** The previous run's state, or null before the first run. */
  readonly previous: JobState | null;
  readonly nowMs: number;
  /** A window counts as closed once it ended this long ago. */
  readonly closeDelayMs: number;
  readonly maxGapMs: number;
  /** How far behind the previous run a mark may still have become visible (inserts in flight, clock skew between hosts). */
  readonly overlapMs: number;
}

export interface RollupPlan {
  /** Minute windows starting before this are closed; the next run's previous.closedBeforeMs. */
  readonly closedBeforeMs: number;
  /** Closed minutes to recompute, ascending, with the nodes to recompute them for. */
  readonly minutes: ReadonlyMap<number, readonly NodeRef[]>;
  /** Closed hours to recompute, ascending: for some nodes, or 'all' nodes with minute rollups in the hour. */
  readonly hours: ReadonlyMap<number, readonly NodeRef[] | 'all'>;
}

/** The oldest marks a run must read: new since the last run, or for windows still open at it (or reaching back into them). */
export function marksSinceMs(previous: JobState | null, maxGapMs: number, overlapMs: number): number {
  if (previous === null) return 0;
  return Math.max(
    0,
    Math.min(previous.watermarkMs, previous.closedBeforeMs - reachOf(maxGapMs) * MINUTE_MS) - overlapMs,
  );
}

/**
 * Which closed windows of which nodes to recompute (pure). A mark of minute w dirties w and the
 * minutes up to maxGapMs later (their first samples' intervals reach back into w). A dirty minute
 * is recomputed once it is closed, unless the previous run already saw the mark with the minute
 * closed. A recomputed minute dirties its hour for that node; an hour that closed since the
 * previous run is recomputed for all its nodes (its minutes were marked while it was open).
 */
export function planRollups(input: RollupPlanInput): RollupPlan {
  const closedBeforeMs = floorTo(input.nowMs - input.closeDelayMs, MINUTE_MS);
  const closedHoursBeforeMs = floorTo(closedBeforeMs, HOUR_MS);
  const previous = input.previous;
  const minutes = new Map<number, Map<string, NodeRef>>();
  const hours = new Map<number, Map<string, NodeRef> | 'all'>();
  if (previous !== null) {
    for (let h = floorTo(previous.closedBeforeMs, HOUR_MS); h < closedHoursBeforeMs; h += HOUR_MS) hours.set(h, 'all');
  }
  for (const mark of input.marks) {
    const seenBefore = previous !== null && mark.ingestedAtMs < previous.watermarkMs - input.overlapMs;
    for (let k = 0; k <= reachOf(input.maxGapMs); k++) {
      const m = floorTo(mark.windowStartMs, MINUTE_MS) + k * MINUTE_MS;
      if (m >= closedBeforeMs || (seenBefore && previous !== null && m < previous.closedBeforeMs)) continue;
      const node: NodeRef = { cluster: mark.cluster, node: mark.node };
      let atMinute = minutes.get(m);
      if (!atMinute) minutes.set(m, (atMinute = new Map<string, NodeRef>()));
      atMinute.set(keyOf(node), node);
      const h = floorTo(m, HOUR_MS);
      const atHour = hours.get(h);
      if (h >= closedHoursBeforeMs || atHour === 'all') continue;
      if (atHour) atHour.set(keyOf(node), node);
      else hours.set(h, new Map([[keyOf(node), node]]));
    }
  }
  const sorted = <V>(map: Map<number, V>) => new Map([...map].sort(([a], [b]) => a - b));
  const nodes = (m: Map<string, NodeRef>) => [...m.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  return {
    closedBeforeMs,
    minutes: sorted(new Map([...minutes].map(([m, n]) => [m, nodes(n)] as const))),
    hours: sorted(new Map([...hours].map(([h, n]) => [h, n === 'all' ? n : nodes(n)] as const))),
  };
}

/** One recompute statement's scope. */
export interface RecomputeChunk {
  readonly fromMs: number;
  readonly toMs: number;
  readonly nodes: readonly NodeRef[];
}

/**
 * Statements for the planned minutes: consecutive minutes with the same nodes share a statement,
 * each covering at most maxNodeMinutes (nodes × minutes), so that its memory stays bounded.
 */
export function minuteChunks(
  minutes: ReadonlyMap<number, readonly NodeRef[]>,
  maxNodeMinutes: number,
): RecomputeChunk[] {
  const runs: Array<{ fromMs: number; toMs: number; nodes: readonly NodeRef[]; key: string }> = [];
  for (const [m, nodes] of minutes) {
    const key = nodes.map(keyOf).join('\u0001');
    const last = runs[runs.length - 1];
    if (last && last.toMs === m && last.key === key) last.toMs = m + MINUTE_MS;
    else runs.push({ fromMs: m, toMs: m + MINUTE_MS, nodes, key });
  }
  const chunks: RecomputeChunk[] = [];
  for (const run of runs) {
    const perChunk = Math.min(run.nodes.length, maxNodeMinutes);
    const minutesPerChunk = Math.max(1, Math.floor(maxNodeMinutes / perChunk));
    for (let from = run.fromMs; from < run.toMs; from += minutesPerChunk * MINUTE_MS) {
      for (let i = 0; i < run.nodes.length; i += perChunk) {
        chunks.push({
          fromMs: from,
          toMs: Math.min(run.toMs, from + minutesPerChunk * MINUTE_MS),
          nodes: run.nodes.slice(i, i + perChunk),
        });
      }
    }
  }
  return chunks;
}

/** `items` in slices of at most `size`. */
export const slices = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
