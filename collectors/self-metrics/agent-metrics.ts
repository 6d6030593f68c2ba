import type { Meter } from '@opentelemetry/api';
import type { AgentObserver } from '../agent.ts';
import { AGENT_METRIC_PREFIX as P, SECONDS_BUCKETS } from './metric-buckets.ts';

/** What /healthz needs from the agent loop. */
export interface TickState {
  /** Host clock (ms) of the last tick that sent a batch with GPU samples, or whose GPU source reported no error. */
  readonly lastGoodTickAtMs: number | null;
  /** Why the last tick was not good; null when it was. */
  readonly lastTickProblem: string | null;
  readonly ticks: number;
}

export interface AgentMetrics extends AgentObserver {
  tickState(): TickState;
}

/**
 * The agent loop's instruments, fed through the AgentObserver hooks. Per source (collector name):
 * samples read (GPU/MIG samples, model-server readings, Xid events), collect errors (error
 * entries of a partial collect, or the whole collect failing), collect duration. Per tick: outcome.
 */
export function createAgentMetrics(meter: Meter, now: () => number): AgentMetrics {
  const samples = meter.createCounter(`${P}samples`, {
    description: 'Samples read per source: GPU/MIG samples, model-server readings, Xid events',
  });
  const errors = meter.createCounter(`${P}collect_errors`, {
    description: 'Collect errors per source (one per error entry of a partial or failed collect)',
  });
  const duration = meter.createHistogram(`${P}collect_duration_seconds`, {
    description: 'Duration of one collect per source',
    unit: 's',
    advice: { explicitBucketBoundaries: [...SECONDS_BUCKETS] },
  });
  const ticks = meter.createCounter(`${P}ticks`, {
    description: 'Agent ticks by outcome (ok: a batch was handed to the sink)',
  });
  const lastGood = meter.createObservableGauge(`${P}last_good_tick_timestamp_seconds`, {
    description: 'Host time of the last tick that sent GPU samples',
    unit: 's',
  });
  const lastErrors = new Map<string, readonly string[]>();
  let state: TickState = { lastGoodTickAtMs: null, lastTickProblem: null, ticks: 0 };
  lastGood.addCallback((r) => {
    if (state.lastGoodTickAtMs !== null) r.observe(state.lastGoodTickAtMs / 1000);
  });

  return {
    collected(collector, durationMs, result) {
      const source = { source: collector };
      samples.add(result.samples.length + result.modelServers.length + result.xidEvents.length, source);
      errors.add(result.errors.length, source);
      duration.record(durationMs / 1000, source);
      lastErrors.set(collector, result.errors);
    },
    ticked(outcome) {
      ticks.add(1, { outcome: outcome.ok ? 'ok' : 'failed' });
      let problem: string | null = null;
      if (!outcome.ok)
        problem = `tick failed: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`;
      else if (outcome.batch.samples.length === 0 && (lastErrors.get(outcome.batch.source)?.length ?? 0) > 0) {
        problem = `no GPU samples: ${lastErrors.get(outcome.batch.source)!.join('; ')}`;
      }
      state = {
        lastGoodTickAtMs: problem === null ? now() : state.lastGoodTickAtMs,
        lastTickProblem: problem,
        ticks: state.ticks + 1,
      };
    },
    tickState: () => state,
  };
}
