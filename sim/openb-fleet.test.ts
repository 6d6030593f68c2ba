import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../test/helpers/fixtures.ts';
import { readTruthPrices } from './truth/catalog-prices.ts';
import { simFleetTruth } from './truth/fleet-truth.ts';
import { loadOpenbFleet, MIG_LAYOUTS, NAMESPACE_TENANTS, type OpenbFleet } from './openb-fleet.ts';

const W0 = Date.UTC(2026, 10, 2);
const HOUR = 3_600_000;

describe('openb fleet (the accuracy bench and demo fleet, from the real trace)', () => {
  let fleet: OpenbFleet;
  beforeAll(() => {
    fleet = loadOpenbFleet(join(SHARED_DIR, 'traces/openb'), { fromMs: W0, hours: 4 });
  });

  it('has every GPU node and places every GPU pod the trace scheduled', () => {
    expect(fleet.nodes).toHaveLength(1213);
    expect(fleet.nodes.reduce((n, node) => n + node.gpuUuids.length, 0)).toBe(6212);
    expect(new Set(fleet.nodes.flatMap((n) => n.gpuUuids)).size).toBe(6212);
    // 7,064 GPU pods in openb_pod_list_default.csv; 861 have no scheduled_time; 0-length ones never ran.
    expect(fleet.pods.length + fleet.pending).toBeLessThanOrEqual(7064);
    expect(fleet.pending).toBeGreaterThanOrEqual(861);
    expect(fleet.pods.length).toBe(6203);
    expect(new Set(fleet.nodes.map((n) => n.productName))).toEqual(
      new Set([
        'Tesla P100-PCIE-16GB',
        'Tesla T4',
        'Tesla V100-SXM2-16GB',
        'Tesla V100-SXM2-32GB',
        'NVIDIA A10',
        'G2',
        'G3',
      ]),
    );
  });

  it('keeps each pod its real duration and puts arrivals inside the first 90% of the run', () => {
    // openb-pod-0001: created 427061 s, scheduled at once, deleted 12902960 s; 460 milli-GPU.
    const pod = fleet.pods.find((p) => p.name === 'openb-pod-0001');
    expect(pod).toMatchObject({ milli: 460, numGpu: 1, namespace: expect.any(String) as string });
    expect(((pod?.endMs ?? 0) - (pod?.startMs ?? 0)) / 1000).toBe(12902960 - 427061);
    for (const p of fleet.pods) {
      expect(p.createdMs).toBeGreaterThanOrEqual(W0);
      expect(p.createdMs).toBeLessThanOrEqual(W0 + 0.9 * 4 * HOUR);
      expect(p.startMs).toBeGreaterThanOrEqual(p.createdMs);
      expect(p.endMs).toBeGreaterThan(p.startMs);
      expect(NAMESPACE_TENANTS[p.namespace]).toBe(p.tenant);
    }
  });

  it('never places more than a GPU holds, at any instant', () => {
    const gpus = new Map(fleet.nodes.map((n) => [n.name, n.gpuUuids.length]));
    const events = fleet.pods.flatMap((p) =>
      p.gpuIndexes.flatMap((g) => [
        { t: p.startMs, d: p.milli, key: `${p.node}/${g}` },
        { t: p.endMs, d: -p.milli, key: `${p.node}/${g}` },
      ]),
    );
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    const held = new Map<string, number>();
    for (const e of events) {
      const now = (held.get(e.key) ?? 0) + e.d;
      expect(now).toBeLessThanOrEqual(1000);
      held.set(e.key, now);
    }
    for (const p of fleet.pods) for (const g of p.gpuIndexes) expect(g).toBeLessThan(gpus.get(p.node) ?? 0);
  });

  it('truth (sim/truth, shipped catalog): fleet = GPUs × price × hours, a whole-window pod 4 GPU-hours, idle by a sweep', () => {
    const prices = readTruthPrices(join(import.meta.dirname, '../config/prices/default.yaml'));
    const window = { fromMs: W0, toMs: W0 + 4 * HOUR };
    const truth = simFleetTruth(fleet, window, prices, join(SHARED_DIR, 'traces/gentd26'));
    // Σ GPUs × the model's catalog price (config/prices/default.yaml, read by eye) × 4 h.
    const byModel = new Map<string, number>();
    for (const n of fleet.nodes) byModel.set(n.productName, (byModel.get(n.productName) ?? 0) + n.gpuUuids.length);
    expect(byModel.get('Tesla T4')).toBe(842); // 404 T4 nodes in openb_node_list_gpu_node.csv
    const usd: Record<string, number> = {
      'Tesla P100-PCIE-16GB': 1.46,
      'Tesla T4': 0.526,
      'Tesla V100-SXM2-16GB': 3.06,
      'Tesla V100-SXM2-32GB': 3.9015,
      'NVIDIA A10': 0.75,
      G2: 4.096575,
      G3: 5.12071875,
    };
    const fleetUsd = [...byModel].reduce((s, [model, gpus]) => s + gpus * (usd[model] ?? NaN) * 4, 0);
    expect(truth.fleetUsd).toBeCloseTo(fleetUsd, 6);
    expect([...truth.tenants.keys()].sort()).toEqual(['acme', 'globex', 'hooli', 'initech', 'umbrella']);

    // A pod running the whole window on one whole GPU holds exactly 4 GPU-hours at its node's price.
    const whole = fleet.pods.find(
      (p) => p.numGpu === 1 && p.milli === 1000 && p.startMs === W0 && p.endMs >= W0 + 4 * HOUR,
    );
    const price = usd[fleet.nodes.find((n) => n.name === whole?.node)?.productName ?? ''] ?? NaN;
    const wholeTruth = truth.pods.find((p) => p.uid === whole?.uid);
    expect(wholeTruth?.gpuHours).toBe(4);
    expect(wholeTruth?.usd).toBeCloseTo(4 * price, 9);
    expect(wholeTruth?.usedGpuHours).toBeGreaterThan(0);
    expect(wholeTruth?.usedGpuHours).toBeLessThanOrEqual(4);

    // Unallocated idle by an independent sweep: per GPU, the time nothing held it, at its price.
    const priceOf = new Map(fleet.nodes.map((n) => [n.name, usd[n.productName] ?? NaN]));
    let heldUsd = 0;
    for (const p of fleet.pods) {
      const ms = Math.max(0, Math.min(p.endMs, window.toMs) - Math.max(p.startMs, window.fromMs));
      heldUsd += (p.gpuIndexes.length * p.milli * ms * (priceOf.get(p.node) ?? NaN)) / 1000 / HOUR;
    }
    expect(truth.unallocatedUsd).toBeCloseTo(fleetUsd - heldUsd, 6);
    expect(truth.unallocatedUsd).toBeGreaterThan(0.3 * fleetUsd); // the trace's fleet is mostly idle
    // Waste never exceeds cost; used never exceeds held.
    for (const p of truth.pods) {
      expect(p.wasteUsd).toBeLessThanOrEqual(p.usd + 1e-9);
      expect(p.usedGpuHours).toBeLessThanOrEqual(p.gpuHours + 1e-9);
    }
  });

  it('spread: a sample of N nodes taken evenly over the list', () => {
    const sample = loadOpenbFleet(join(SHARED_DIR, 'traces/openb'), {
      fromMs: W0,
      hours: 4,
      maxNodes: 8,
      spread: true,
    });
    expect(sample.nodes.map((n) => n.name)).toEqual(
      [0, 151, 303, 454, 606, 758, 909, 1061].map((i) => `openb-node-${String(i).padStart(4, '0')}`),
    );
  });

  it('MIG: every eighth G2/G3 node is its A100, all-balanced; sharing pods there hold one instance of the smallest profile that fits', () => {
    const migFleet = loadOpenbFleet(join(SHARED_DIR, 'traces/openb'), { fromMs: W0, hours: 4, mig: true });
    const migNodes = migFleet.nodes.filter((n) => n.migLayout);
    // 549 G2 + 39 G3 nodes in openb_node_list_gpu_node.csv: the 1st, 9th, … of them, 74 in all.
    expect(migNodes).toHaveLength(74);
    expect(new Set(migNodes.map((n) => n.productName))).toEqual(
      new Set([MIG_LAYOUTS['G2']?.productName, MIG_LAYOUTS['G3']?.productName]),
    );
    const onMig = new Set(migNodes.map((n) => n.name));
    const migPods = migFleet.pods.filter((p) => p.migProfile !== undefined);
    expect(migPods.length).toBeGreaterThan(50);
    const slices = (profile: string) => Number(profile.split('g.')[0]);
    for (const p of migFleet.pods) expect(onMig.has(p.node)).toBe(p.migProfile !== undefined);
    for (const p of migPods) {
      const layout = migNodes.find((n) => n.name === p.node)?.migLayout ?? [];
      // On its node's layout, at the instance id that profile has there.
      expect(layout.some((s) => s.profile === p.migProfile && s.gpuInstanceId === p.migInstance)).toBe(true);
      // One GPU under 1000 milli, on the smallest profile of at least its share (7 compute slices).
      expect([p.numGpu, p.gpuIndexes.length, p.milli < 1000]).toEqual([1, 1, true]);
      const fitting = layout.map((s) => slices(s.profile)).filter((g) => p.milli / 1000 <= g / 7);
      expect(slices(p.migProfile ?? '')).toBe(Math.min(...fitting));
    }
    // An instance never holds two pods at once.
    const byInstance = new Map<string, [number, number][]>();
    for (const p of migPods) {
      const key = `${p.node}/${p.gpuIndexes[0]}/${p.migInstance}`;
      byInstance.set(key, [...(byInstance.get(key) ?? []), [p.startMs, p.endMs]]);
    }
    for (const spans of byInstance.values()) {
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? 0);
    }
    // The truth holds a MIG pod at its compute slices / 7 for the time it ran in the window.
    const prices = readTruthPrices(join(import.meta.dirname, '../config/prices/default.yaml'));
    const truth = simFleetTruth(
      migFleet,
      { fromMs: W0, toMs: W0 + 4 * HOUR },
      prices,
      join(SHARED_DIR, 'traces/gentd26'),
    );
    for (const p of migPods.slice(0, 20)) {
      const ms = Math.min(p.endMs, W0 + 4 * HOUR) - Math.max(p.startMs, W0);
      expect(truth.pods.find((t) => t.uid === p.uid)?.gpuHours).toBeCloseTo(
        ((slices(p.migProfile ?? '') / 7) * ms) / HOUR,
        9,
      );
    }
  });
});
