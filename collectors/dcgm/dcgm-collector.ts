import type { GpuSample } from '../../contracts/index.ts';
import type { Collector, CollectResult } from '../collector.ts';
import { scrapeText, type ScrapeConfig } from '../inference/scrape-http.ts';
import { parseDcgmMetrics, type DcgmPodBinding } from './parse-dcgm.ts';

/**
 * DCGM_FI_DEV_XID_ERRORS holds the LAST Xid of a GPU, not a count. A whole-GPU sample gets
 * `xidErrors: [x]` only in the scrape where that value changes to a non-zero x (including the
 * first scrape that sees it), so one Xid is reported once, not on every scrape. Two equal Xids
 * in a row are therefore seen as one; the kernel-log collector counts every occurrence.
 */
export function withNewXids(
  samples: readonly GpuSample[],
  current: Readonly<Record<string, number>>,
  previous: Readonly<Record<string, number>>,
): GpuSample[] {
  return samples.map((s) => {
    const xid = current[s.gpuUuid];
    if (s.kind !== 'gpu' || xid === undefined || xid === 0 || xid === previous[s.gpuUuid]) return s;
    return { ...s, xidErrors: [Math.round(xid)] };
  });
}

/** The DCGM source: scrapes the exporter's `/metrics` over HTTP each collect. */
export interface DcgmCollector extends Collector {
  readonly name: 'dcgm';
  /** The pod labels of the latest successful scrape (exporter in Kubernetes mode); empty otherwise. */
  latestPodBindings(): readonly DcgmPodBinding[];
}

export function createDcgmCollector(config: ScrapeConfig, now: () => number): DcgmCollector {
  let lastXid: Readonly<Record<string, number>> = {};
  let bindings: readonly DcgmPodBinding[] = [];
  return {
    name: 'dcgm',
    async collect(signal): Promise<CollectResult> {
      const observedAtMs = now();
      const scrape = parseDcgmMetrics(await scrapeText(config, signal), observedAtMs);
      const samples = withNewXids(scrape.samples, scrape.lastXidByGpu, lastXid);
      lastXid = { ...lastXid, ...scrape.lastXidByGpu };
      bindings = scrape.podBindings;
      const errors =
        samples.length === 0 ? [...scrape.errors, `${config.url}: no DCGM GPU series in the scrape`] : scrape.errors;
      return { samples, processes: [], modelServers: [], xidEvents: [], errors };
    },
    latestPodBindings: () => bindings,
    close: () => Promise.resolve(),
  };
}
