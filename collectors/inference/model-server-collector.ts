import type { ModelServerKind } from '../../contracts/index.ts';
import type { Collector, CollectResult } from '../collector.ts';
import { computeModelServerReadings } from './model-server-deltas.ts';
import { parseModelServerMetrics, type ModelServerScrape } from './model-server-metrics.ts';
import { scrapeText, type ScrapeConfig } from './scrape-http.ts';

export interface ModelServerCollectorConfig extends ScrapeConfig {
  readonly kind: ModelServerKind;
  /** The pod serving the model, stamped on every reading; null outside Kubernetes. */
  readonly podUid?: string | null;
  /** Model name for servers that do not label it (TGI); default `__unknown__`. */
  readonly model?: string;
}

/**
 * Scrapes one inference server's `/metrics` and turns its cumulative counters into per-model
 * deltas over the time since the previous successful scrape. Stateful: the first scrape only sets
 * the baseline (no readings); a failed scrape keeps the old baseline, so the next window is longer
 * and nothing is lost or counted twice. Limitation: a restart whose new counters already exceed
 * the old ones by the next scrape is not seen as a reset (counters alone cannot tell).
 */
export function createModelServerCollector(
  config: ModelServerCollectorConfig,
  now: () => number,
): Collector & { readonly name: ModelServerKind } {
  let previous: { scrape: ModelServerScrape; atMs: number } | null = null;
  return {
    name: config.kind,
    async collect(signal): Promise<CollectResult> {
      const text = await scrapeText(config, signal);
      const observedAtMs = now();
      const scrape = parseModelServerMetrics(config.kind, text, config.model);
      const modelServers = computeModelServerReadings(previous?.scrape ?? null, scrape, {
        podUid: config.podUid ?? null,
        observedAtMs,
        windowMs: previous ? observedAtMs - previous.atMs : 1,
      });
      previous = { scrape, atMs: observedAtMs };
      return { samples: [], processes: [], modelServers, xidEvents: [], errors: [...scrape.errors] };
    },
    close: () => Promise.resolve(),
  };
}
