/** Test builders shared by the pipeline/cost tests (not used by production code). */
import type { PricingTier } from '../../contracts/cost-ledger-row.ts';
import type { GpuRequest } from '../../contracts/pod-event.ts';
import type { GpuNode } from '../../pipeline/cost/compute-cost-ledger.ts';
import { parsePriceCatalog } from '../../pipeline/cost/price-catalog.ts';
import { createPriceLookup, type PriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { PodInterval } from '../../pipeline/cost/pod-intervals.ts';

export const HOUR_MS = 3_600_000;
/** 2025-03-01T00:00:00Z: inside one month, so FOCUS periods are simple. */
export const T0 = Date.UTC(2025, 2, 1);

export interface TestPrice {
  readonly model: string;
  readonly tier?: PricingTier;
  readonly usdPerGpuHour: number;
  readonly pool?: string;
}

/** A catalog of versions [effectiveFromMs, prices]; models are declared from the prices used. */
export const testLookup = (
  versions: readonly (readonly [number, readonly TestPrice[]])[],
  extraYaml = '',
): PriceLookup => {
  const models = [...new Set(versions.flatMap(([, ps]) => ps.map((p) => p.model)))];
  const yaml = [
    'schemaVersion: 1',
    'currency: USD',
    'models:',
    ...models.map((m) => `  ${JSON.stringify(m)}: {}`),
    extraYaml,
    'versions:',
    ...versions.flatMap(([at, ps]) => [
      `  - effectiveFrom: ${JSON.stringify(new Date(at).toISOString())}`,
      '    prices:',
      ...ps.map(
        (p) =>
          `      - { model: ${JSON.stringify(p.model)}, tier: ${p.tier ?? 'on-demand'}, usdPerGpuHour: ${p.usdPerGpuHour}, source: test${p.pool ? `, pool: ${p.pool}` : ''} }`,
      ),
    ]),
  ].join('\n');
  return createPriceLookup(parsePriceCatalog(yaml, 'test-catalog'));
};

export const gpuNode = (node: string, gpuModel: string, gpuCount: number, extra: Partial<GpuNode> = {}): GpuNode => ({
  node,
  gpuModel,
  gpuCount,
  pricingTier: 'on-demand',
  ...extra,
});

export const podInterval = (
  podUid: string,
  node: string,
  startMs: number,
  endMs: number,
  gpuRequest: GpuRequest,
  extra: Partial<PodInterval> = {},
): PodInterval => ({
  podUid,
  namespace: 'ml',
  pod: `pod-${podUid}`,
  node,
  startMs,
  endMs,
  gpuRequest,
  labels: {},
  owner: null,
  gpuUuids: [],
  ...extra,
});

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
