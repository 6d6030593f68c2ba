import { describe, expect, it } from 'vitest';
import { parseDcgmMetrics } from '../../collectors/dcgm/parse-dcgm.ts';
import { parseNvidiaSmiXml } from '../../collectors/nvidia-smi/parse-xml.ts';
import type { GpuSample } from '../../contracts/gpu-sample-batch.ts';
import type { GpuRequest } from '../../contracts/pod-event.ts';
import { DEFAULT_COST_CONFIG } from '../../pipeline/cost/cost-config.ts';
import type { GpuRollupRow } from '../../pipeline/store/rollup-store.ts';
import { recommenderInput } from '../../test/kits/gentd26-kit.ts';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { consolidate } from './consolidate.ts';
import { toNodeStates } from './fleet-snapshot.ts';
import type { NodeSnapshot } from './types.ts';
import type { ClusterPodInterval } from './workloads.ts';

const NOW = Date.UTC(2026, 10, 2, 18);
const V100_32GB_USD = 3.9015; // config/prices/default.yaml: p3dn.24xlarge $31.212/h ÷ 8

// Real captures: 4 × Tesla V100-SXM2-32GB (dcgm-exporter issue #250; GPU 1 only in its PCIe replay
// counter's series) and 1 × Tesla V100-SXM3-32GB
// (microsoft/pai's nvidia-smi XML): one catalog model, V100-32GB.
const sxm2 = parseDcgmMetrics(readFixture('dcgm', 'issue-dcgm-exporter-250-4xV100-SXM2.prom'), NOW).samples;
const sxm3 = parseNvidiaSmiXml(
  readFixture('nvidia-smi-xml', 'openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml'),
  NOW,
).samples;

const rows = (node: string, samples: readonly GpuSample[]): GpuRollupRow[] =>
  samples.map((s) => ({
    windowStartMs: NOW - 60_000,
    cluster: 'prod',
    node,
    gpuUuid: s.gpuUuid,
    parentGpuUuid: s.parentGpuUuid ?? '',
    kind: s.kind,
    model: s.model,
    samples: 1,
    coveredMs: 60_000,
    utilSamples: 1,
    utilAvgPct: 30,
    utilMinPct: 30,
    utilMaxPct: 30,
    utilP95Pct: 30,
    busyPctMs: 0,
    memUsedAvgBytes: s.memoryUsedBytes,
    memUsedMaxBytes: s.memoryUsedBytes,
    memTotalMaxBytes: s.memoryTotalBytes,
    powerAvgWatts: null,
    powerMinWatts: null,
    powerMaxWatts: null,
    energyMillijoules: 0,
  }));

const pod = (uid: string, node: string, gpuRequest: GpuRequest, gpuUuids: string[] = []): ClusterPodInterval => ({
  cluster: 'prod',
  podUid: uid,
  namespace: 'genai',
  pod: uid,
  node,
  startMs: NOW - 8 * 3_600_000,
  endMs: NOW,
  gpuRequest,
  labels: {},
  owner: null,
  gpuUuids,
});

const snapshots = (running: ClusterPodInterval[]): NodeSnapshot[] =>
  toNodeStates({
    nowMs: NOW,
    gpuRows: [...rows('v100-a', sxm2), ...rows('v100-b', sxm3)],
    podRows: [],
    running,
    prices: recommenderInput([]).prices,
    pricing: DEFAULT_COST_CONFIG.nodePricing,
  }).map((n) => ({ ...n, freeMilli: n.gpus.map((g) => 1000 - g.allocatedMilli), idleShare: 0.75, observedHours: 8 }));

describe('consolidate recommender (V100 captures, default catalog)', () => {
  it('frees the 1-GPU node whose half-GPU pod fits on the 4-GPU node: 1 × $3.9015 × 730 by hand', () => {
    expect([sxm2.length, sxm3.length]).toEqual([4, 1]);
    const nodes = snapshots([
      pod('serve-a', 'v100-a', { kind: 'whole', count: 1 }, [sxm2[0]!.gpuUuid]),
      pod('batch-b', 'v100-b', { kind: 'fraction', milli: 500 }),
    ]);
    expect(nodes.map((n) => [n.node, n.gpuModel, n.priceUsdPerGpuHour, [...n.freeMilli].sort()])).toEqual([
      ['v100-a', 'V100-32GB', V100_32GB_USD, [0, 1000, 1000, 1000]],
      ['v100-b', 'V100-32GB', V100_32GB_USD, [500]],
    ]);
    const [c, ...rest] = consolidate.compute(recommenderInput([], nodes));
    expect(rest).toEqual([]);
    expect(c?.target).toEqual({
      cluster: 'prod',
      node: 'v100-b',
      namespace: null,
      workload: null,
      pod: null,
      tenant: null,
    });
    expect(c?.evidence).toMatchObject({ gpuCount: 1, allocatedGpus: 0.5, podsMoved: 1, targetNodes: 'v100-a' });
    // (8 GPU-h × $3.9015 − 0) / 8 h × 730 h
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(((8 * V100_32GB_USD) / 8) * 730, 6);
    expect(c?.estimatedMonthlySavingUsd).toBeCloseTo(2848.095, 6);
  });

  it('frees nothing when the pods do not fit elsewhere: a whole GPU on each of the five', () => {
    const nodes = snapshots([
      ...sxm2.map((g, i) => pod(`w${i}`, 'v100-a', { kind: 'whole', count: 1 }, [g.gpuUuid])),
      pod('w3', 'v100-b', { kind: 'whole', count: 1 }),
    ]);
    expect(consolidate.compute(recommenderInput([], nodes))).toEqual([]);
  });

  it('frees an empty node outright, and never moves a MIG pod', () => {
    const nodes = snapshots([pod('mig', 'v100-b', { kind: 'mig', profile: '1g.10gb', count: 1 })]);
    expect(nodes[1]?.pods[0]?.movable).toBe(false);
    const found = consolidate.compute(recommenderInput([], nodes));
    expect(found.map((c) => [c.target.node, c.evidence['podsMoved'], c.evidence['targetNodes']])).toEqual([
      ['v100-a', 0, '-'],
    ]);
    expect(found[0]?.estimatedMonthlySavingUsd).toBeCloseTo(4 * V100_32GB_USD * 730, 6);
  });
});
