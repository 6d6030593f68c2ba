import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_CONFIG, parseCostConfig } from './cost-config.ts';
import { HOUR_MS, T0, podInterval } from '../../test/kits/cost-test-kit.ts';
import { toGpuNodes } from './gpu-inventory.ts';
import type { InventoryGpu } from '../store/ledger-inputs-store.ts';

const gpu = (
  node: string,
  gpuUuid: string,
  firstSeenMs: number | null = T0 + 10_000,
  lastSeenMs: number | null = T0 + HOUR_MS - 10_000,
  model = 'NVIDIA H100 80GB HBM3',
  seen: { seenBefore?: boolean; seenAfter?: boolean } = {},
): InventoryGpu => ({
  cluster: 'c1',
  node,
  gpuUuid,
  model,
  firstSeenMs,
  lastSeenMs,
  seenBefore: seen.seenBefore ?? false,
  seenAfter: seen.seenAfter ?? false,
});
const H100 = 'NVIDIA H100 80GB HBM3';
const inventory = (
  gpus: InventoryGpu[],
  pods = [] as ReturnType<typeof podInterval>[],
  pricing = DEFAULT_COST_CONFIG.nodePricing,
) => toGpuNodes({ windowStartMs: T0, windowEndMs: T0 + HOUR_MS, gpus, pods, pricing, edgeToleranceMs: 300_000 });

describe('toGpuNodes', () => {
  it('counts distinct GPUs per node and bills the whole window when samples reach both edges', () => {
    const { nodes, problems } = inventory([gpu('n1', 'GPU-a'), gpu('n1', 'GPU-b'), gpu('n2', 'GPU-c')]);
    expect(problems).toEqual([]);
    expect(nodes).toEqual([
      {
        node: 'n1',
        gpuModel: 'NVIDIA H100 80GB HBM3',
        gpuCount: 2,
        pricingTier: 'on-demand',
        pool: null,
        instanceType: null,
        activeFromMs: T0,
        activeToMs: T0 + HOUR_MS,
      },
      expect.objectContaining({ node: 'n2', gpuCount: 1 }),
    ]);
  });

  it('starts a node that appeared mid-window at its first sample and ends one that vanished at its last', () => {
    const { nodes } = inventory([gpu('n1', 'GPU-a', T0 + 20 * 60_000, T0 + 40 * 60_000)]);
    expect(nodes[0]).toMatchObject({ activeFromMs: T0 + 20 * 60_000, activeToMs: T0 + 40 * 60_000 });
  });

  it('keeps an edge where the GPU reported on the other side of it: a silent agent is not a vanished node', () => {
    // Agent down from 0:40 to 1:10: seen again after the window, so the node ran to its end.
    expect(
      inventory([gpu('n1', 'GPU-a', T0 + 60_000, T0 + 40 * 60_000, H100, { seenAfter: true })]).nodes[0],
    ).toMatchObject({ activeFromMs: T0, activeToMs: T0 + HOUR_MS });
    // Down from 23:50 to 0:20: seen before the window, so it did not appear at 0:20.
    expect(
      inventory([gpu('n1', 'GPU-a', T0 + 20 * 60_000, T0 + HOUR_MS - 60_000, H100, { seenBefore: true })]).nodes[0],
    ).toMatchObject({ activeFromMs: T0, activeToMs: T0 + HOUR_MS });
    // Silent the whole window, seen on both sides: the whole window, its GPUs counted.
    const { nodes } = inventory([
      gpu('n1', 'GPU-a', null, null, H100, { seenBefore: true, seenAfter: true }),
      gpu('n1', 'GPU-b', null, null, H100, { seenBefore: true, seenAfter: true }),
    ]);
    expect(nodes).toEqual([
      expect.objectContaining({ node: 'n1', gpuCount: 2, activeFromMs: T0, activeToMs: T0 + HOUR_MS }),
    ]);
    // One GPU's earlier samples speak for the node; without them it still starts at its first sample.
    expect(
      inventory([
        gpu('n1', 'GPU-a', T0 + 30 * 60_000, T0 + HOUR_MS - 60_000),
        gpu('n1', 'GPU-b', T0 + 30 * 60_000, T0 + HOUR_MS - 60_000, H100, { seenBefore: true }),
      ]).nodes[0],
    ).toMatchObject({ activeFromMs: T0 });
    expect(
      inventory([gpu('n1', 'GPU-a', T0 + 30 * 60_000, T0 + HOUR_MS - 60_000, H100, { seenAfter: true })]).nodes[0],
    ).toMatchObject({ activeFromMs: T0 + 30 * 60_000, activeToMs: T0 + HOUR_MS });
  });

  it('stretches the span over pods running on the node (a late agent loses no allocated time)', () => {
    const { nodes } = inventory(
      [gpu('n1', 'GPU-a', T0 + 20 * 60_000, T0 + 40 * 60_000)],
      [podInterval('p', 'n1', T0 + 5 * 60_000, T0 + HOUR_MS, { kind: 'whole', count: 1 })],
    );
    expect(nodes[0]).toMatchObject({ activeFromMs: T0 + 5 * 60_000, activeToMs: T0 + HOUR_MS });
  });

  it('bills a mixed node as its majority model and says so; prices by the node rules', () => {
    const pricing = parseCostConfig(
      'nodePricing: { rules: [{ match: "n*", pricingTier: spot, pool: p1 }] }',
      't',
    ).nodePricing;
    const { nodes, problems } = inventory(
      [gpu('n1', 'GPU-a'), gpu('n1', 'GPU-b', undefined, undefined, 'Tesla T4'), gpu('n1', 'GPU-c')],
      [],
      pricing,
    );
    expect(nodes[0]).toMatchObject({ gpuModel: 'NVIDIA H100 80GB HBM3', gpuCount: 3, pricingTier: 'spot', pool: 'p1' });
    expect(problems).toEqual([
      "node 'n1' reports GPUs of several models (NVIDIA H100 80GB HBM3 ×2, Tesla T4 ×1); all are billed as NVIDIA H100 80GB HBM3",
    ]);
  });
});
