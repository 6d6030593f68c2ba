import type { ModelServerReading } from '../collector.ts';
import { roundMicro, type CounterField, type CounterPoint, type ModelServerScrape } from './model-server-metrics.ts';

type Sums = Record<CounterField, number>;
const zero = (): Sums => ({ requests: 0, promptTokens: 0, generationTokens: 0, latencyMsSum: 0, latencyCount: 0 });

/** Sums counter values per model, and lists every model the scrape names (counters or gauges). */
function sumByModel(points: Iterable<CounterPoint>, scrape: ModelServerScrape): Map<string, Sums> {
  const sums = new Map<string, Sums>([...scrape.gauges.keys()].map((m) => [m, zero()]));
  for (const p of points) {
    const s = sums.get(p.model) ?? zero();
    s[p.field] = roundMicro(s[p.field] + p.value * p.scale);
    sums.set(p.model, s);
  }
  return sums;
}

/**
 * Counter increase of one series between two scrapes: the difference, or, when the counter went
 * down (the server restarted), the new value; a series absent from the previous scrape (a model
 * loaded since, a lazily created label) counts from 0. Never negative.
 */
export function counterDelta(previous: number | undefined, current: number): number {
  if (previous === undefined || current < previous) return current;
  return current - previous;
}

export interface ReadingWindow {
  readonly podUid: string | null;
  /** End of the window: this scrape's time. */
  readonly observedAtMs: number;
  /** Time since the previous successful scrape, ms (at least 1). */
  readonly windowMs: number;
}

/**
 * One reading per model of `current`, with counter deltas against `previous`, taken per series
 * (metric + full label set) and then summed per model. No previous scrape: none (the first scrape
 * only sets the baseline, as the ModelServerSample contract says). Gauges come from `current`.
 */
export function computeModelServerReadings(
  previous: ModelServerScrape | null,
  current: ModelServerScrape,
  window: ReadingWindow,
): ModelServerReading[] {
  if (previous === null) return [];
  const deltas = [...current.counters].map(([key, p]) => ({
    ...p,
    value: counterDelta(previous.counters.get(key)?.value, p.value),
  }));
  return [...sumByModel(deltas, current)].map(([model, d]) => {
    const gauges = current.gauges.get(model);
    const kv = gauges?.kvCacheUsagePct ?? null;
    return {
      server: current.server,
      model,
      podUid: window.podUid,
      observedAtMs: window.observedAtMs,
      windowMs: Math.max(1, Math.round(window.windowMs)),
      requestsDelta: d.requests,
      promptTokensDelta: d.promptTokens,
      generationTokensDelta: d.generationTokens,
      latencyMsSum: d.latencyMsSum,
      latencyCount: d.latencyCount,
      queueDepth: gauges?.queueDepth ?? null,
      kvCacheUsagePct: kv === null ? null : Math.min(100, Math.max(0, kv)),
    };
  });
}

/** Cumulative totals per model since the server started (what one capture alone can say; `gpu-ledger inspect`). */
export interface ModelServerTotals {
  readonly server: ModelServerScrape['server'];
  readonly model: string;
  readonly requestsTotal: number;
  readonly promptTokensTotal: number;
  readonly generationTokensTotal: number;
  readonly latencyMsSumTotal: number;
  readonly latencyCountTotal: number;
  readonly queueDepth: number | null;
  readonly kvCacheUsagePct: number | null;
}

export function modelServerTotals(scrape: ModelServerScrape): ModelServerTotals[] {
  return [...sumByModel(scrape.counters.values(), scrape)].map(([model, t]) => ({
    server: scrape.server,
    model,
    requestsTotal: t.requests,
    promptTokensTotal: t.promptTokens,
    generationTokensTotal: t.generationTokens,
    latencyMsSumTotal: t.latencyMsSum,
    latencyCountTotal: t.latencyCount,
    queueDepth: scrape.gauges.get(model)?.queueDepth ?? null,
    kvCacheUsagePct: scrape.gauges.get(model)?.kvCacheUsagePct ?? null,
  }));
}
