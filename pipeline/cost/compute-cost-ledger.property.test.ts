/**
 * Property: for any window, inventory, price history and mix of requests (whole, fraction, MIG,
 * none, pinned or not, over-subscribed or not, inside or across the window) and any sharing policy,
 * the buckets add up to the fleet cost (relative 1e-9), computed here independently of the engine,
 * every figure is ≥ 0, no pod pays for more than it asked, and every row is a valid CostLedgerRow.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostLedgerRowSchema } from '../../contracts/cost-ledger-row.ts';
import type { GpuRequest } from '../../contracts/pod-event.ts';
import { computeCostLedger } from './compute-cost-ledger.ts';
import { HOUR_MS, T0, gpuNode, podInterval, sum, testLookup } from '../../test/kits/cost-test-kit.ts';
import { MIG_FAMILIES } from './mig-profiles.ts';
import type { PriceLookup } from './price-lookup.ts';

const MODELS = ['H100', 'A100-80GB', 'T4'] as const;
const h100Profiles = MIG_FAMILIES['H100']?.profiles ?? [];

const requestArb: fc.Arbitrary<GpuRequest> = fc.oneof(
  fc.constant<GpuRequest>({ kind: 'none' }),
  fc.integer({ min: 1, max: 8 }).map((count): GpuRequest => ({ kind: 'whole', count })),
  fc.integer({ min: 1, max: 999 }).map((milli): GpuRequest => ({ kind: 'fraction', milli })),
  fc
    .record({
      profile: fc.constantFrom(...h100Profiles, '1g.10gb+me', '2c.3g.40gb'),
      count: fc.integer({ min: 1, max: 7 }),
    })
    .map((m): GpuRequest => ({ kind: 'mig', ...m })),
);

const scenarioArb = fc
  .record({
    windowMs: fc.integer({ min: 1, max: 48 * HOUR_MS }),
    nodes: fc.array(
      fc.record({
        model: fc.constantFrom(...MODELS),
        gpuCount: fc.integer({ min: 1, max: 8 }),
        tier: fc.constantFrom('on-demand', 'spot'),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    versions: fc.array(
      fc.tuple(
        fc.integer({ min: -HOUR_MS, max: 48 * HOUR_MS }),
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    pods: fc.array(
      fc.record({
        node: fc.nat(3),
        start: fc.integer({ min: -4 * HOUR_MS, max: 50 * HOUR_MS }),
        lengthMs: fc.integer({ min: 1, max: 60 * HOUR_MS }),
        request: requestArb,
        device: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        tenant: fc.constantFrom('a', 'b', 'c', ''),
        namespace: fc.constantFrom('ml', 'serve', 'kube-system'),
        usedFraction: fc.double({ min: 0, max: 1.5, noNaN: true }),
      }),
      { maxLength: 20 },
    ),
    idleSharing: fc.constantFrom('separate', 'node', 'cluster'),
    shared: fc.boolean(),
    spread: fc.constantFrom('weighted', 'even'),
  })
  .map((s) => ({
    ...s,
    versions: [...new Map(s.versions.map(([at, p]) => [at, p] as const))].sort((x, y) => x[0] - y[0]),
  }));

/** Σ gpuCount × ∫ price dt, by walking the price versions (independent of the engine's segmenting). */
const expectedFleetCost = (
  nodes: readonly { model: string; gpuCount: number; tier: string }[],
  versions: readonly (readonly [number, readonly number[]])[],
  endMs: number,
): number => {
  const bounds = [T0, ...versions.map(([at]) => T0 + at).filter((t) => t > T0 && t < endMs), endMs];
  let total = 0;
  for (const node of nodes) {
    for (let i = 0; i + 1 < bounds.length; i++) {
      const at = bounds[i] as number;
      const version = [...versions].reverse().find(([v]) => T0 + v <= at);
      const usd = version?.[1][MODELS.indexOf(node.model as (typeof MODELS)[number])] ?? 0;
      total += node.gpuCount * (((bounds[i + 1] as number) - at) / 3_600_000) * usd * (node.tier === 'spot' ? 0.5 : 1);
    }
  }
  return total;
};

describe('cost ledger invariant (fast-check)', () => {
  it('workload buckets + idle = fleet cost; all figures ≥ 0; nobody pays past their request', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const endMs = T0 + s.windowMs;
        // Every version prices every model; the first version starts at or before the window.
        const versions = s.versions.map(([at, p], i) => [i === 0 ? Math.min(at, 0) : at, p] as const);
        const prices: PriceLookup = testLookup(
          versions.map(([at, p]) => [
            T0 + at,
            MODELS.flatMap((model, m) => [
              { model, usdPerGpuHour: p[m] ?? 0 },
              { model, tier: 'spot' as const, usdPerGpuHour: (p[m] ?? 0) * 0.5 },
            ]),
          ]),
        );
        const nodes = s.nodes.map((n, i) => gpuNode(`n${i}`, n.model, n.gpuCount, { pricingTier: n.tier }));
        const pods = s.pods
          .map((p, i) => {
            const startMs = Math.max(T0, T0 + p.start);
            const endPod = Math.min(endMs, T0 + p.start + p.lengthMs);
            const devices =
              p.device === undefined || p.request.kind !== 'fraction' ? [] : [`GPU-${p.node}-${p.device}`];
            return podInterval(`p${i}`, `n${p.node}`, startMs, endPod, p.request, {
              namespace: p.namespace,
              labels: p.tenant ? { tenant: p.tenant } : {},
              gpuUuids: devices,
            });
          })
          .filter((p) => p.endMs > p.startMs);
        const used = new Map(
          pods.map((p, i) => [p.podUid, (s.pods[i]?.usedFraction ?? 0) * ((p.endMs - p.startMs) / 1000)]),
        );
        const { rows, fleetCostUsd } = computeCostLedger(
          { cluster: 'c1', windowStartMs: T0, windowEndMs: endMs, nodes, pods, usedGpuSecondsByPod: used, prices },
          {
            idleSharing: s.idleSharing,
            sharedNamespaces: s.shared ? ['kube-system'] : [],
            sharedNamespaceSpread: s.spread,
          },
        );
        const expected = expectedFleetCost(s.nodes, versions, endMs);
        const total = sum(rows.map((r) => r.costUsd));
        const tolerance = 1e-9 * Math.max(expected, 1e-9);
        expect(Math.abs(fleetCostUsd - expected)).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(total - expected)).toBeLessThanOrEqual(tolerance);
        for (const r of rows) {
          expect(CostLedgerRowSchema.safeParse(r).success).toBe(true);
          expect(r.wasteUsd).toBeLessThanOrEqual(r.costUsd * (1 + 1e-12));
          expect(r.usedGpuSeconds).toBeLessThanOrEqual(r.allocatedGpuSeconds * (1 + 1e-12));
        }
        for (const p of pods) {
          const held = sum(rows.filter((r) => r.podUid === p.podUid).map((r) => r.allocatedGpuSeconds));
          const asked =
            (p.gpuRequest.kind === 'whole'
              ? p.gpuRequest.count
              : p.gpuRequest.kind === 'fraction'
                ? p.gpuRequest.milli / 1000
                : 7) *
            ((p.endMs - p.startMs) / 1000);
          expect(held).toBeLessThanOrEqual(asked * (1 + 1e-9) + 1e-9);
        }
      }),
      { numRuns: 400 },
    );
  });
});
