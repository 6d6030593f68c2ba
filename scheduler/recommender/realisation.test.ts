import { describe, expect, it } from 'vitest';
import { exampleRecommendation } from '../../contracts/examples.ts';
import type { Recommendation } from '../../contracts/recommendation.ts';
import { podInterval } from '../../test/kits/cost-test-kit.ts';
import { adoptionReport } from './adoption-report.ts';
import { realisedMonthlySavingUsd, shapeAppearedAt, type ShapeContext } from './realisation.ts';
import type { ClusterPodInterval } from './workloads.ts';
import { workloadName } from './workload-key.ts';

const T = Date.UTC(2026, 10, 2, 8);
const pod = (
  uid: string,
  startMs: number,
  endMs: number,
  gpuRequest: ClusterPodInterval['gpuRequest'],
  node = 'a800-0',
): ClusterPodInterval => ({
  ...podInterval(uid, node, startMs, endMs, gpuRequest, { namespace: 'inference', pod: uid }),
  cluster: 'prod-eu',
});
const ctx = (pods: ClusterPodInterval[], o: Partial<ShapeContext> = {}): ShapeContext => ({
  nowMs: T + 7_200_000,
  pods,
  nodeModel: (_c, n) => (n === 'l40s-0' ? 'L40S' : 'A100-80GB'),
  priceOf: (m) => ({ L40S: 1.861, 'A100-80GB': 5.12071875, L4: 0.8048 })[m] ?? null,
  nodeSeen: () => true,
  ...o,
});
const rec = (o: Partial<Recommendation>): Recommendation => ({
  ...exampleRecommendation,
  createdAtMs: T,
  acceptedAtMs: T + 60_000,
  ...o,
});

describe("realisation: the recommended shape in the workload's later pods", () => {
  it('share: a later pod on 3g.40gb (or less) realises it; the old whole-GPU pod does not', () => {
    const r = rec({});
    expect(shapeAppearedAt(r, ctx([pod('old', T - 1, T + 600_000, { kind: 'whole', count: 1 })]))).toBeNull();
    expect(
      shapeAppearedAt(r, ctx([pod('new', T + 900_000, T + 7_200_000, { kind: 'mig', profile: '3g.40gb', count: 1 })])),
    ).toBe(T + 900_000);
    expect(shapeAppearedAt(r, ctx([pod('new', T + 900_000, T + 7_200_000, { kind: 'fraction', milli: 400 })]))).toBe(
      T + 900_000,
    );
    expect(
      shapeAppearedAt(r, ctx([pod('new', T + 900_000, T + 7_200_000, { kind: 'mig', profile: '4g.40gb', count: 1 })])),
    ).toBeNull();
  });

  it('right-size, cheaper-gpu, idle-reclaim and consolidate each have their sign', () => {
    const rs = rec({
      kind: 'right-size',
      current: { gpuModel: 'A100-80GB', gpuRequest: { kind: 'whole', count: 4 } },
      recommended: { gpuModel: 'A100-80GB', gpuRequest: { kind: 'whole', count: 2 } },
    });
    expect(shapeAppearedAt(rs, ctx([pod('p', T + 120_000, T + 7_200_000, { kind: 'whole', count: 3 })]))).toBeNull();
    expect(shapeAppearedAt(rs, ctx([pod('p', T + 120_000, T + 7_200_000, { kind: 'whole', count: 2 })]))).toBe(
      T + 120_000,
    );
    const cheaper = rec({
      kind: 'cheaper-gpu',
      recommended: { gpuModel: 'L40S', gpuRequest: { kind: 'whole', count: 1 } },
    });
    expect(
      shapeAppearedAt(cheaper, ctx([pod('p', T + 120_000, T + 7_200_000, { kind: 'whole', count: 1 }, 'l40s-0')])),
    ).toBe(T + 120_000);
    expect(
      shapeAppearedAt(cheaper, ctx([pod('p', T + 120_000, T + 7_200_000, { kind: 'whole', count: 1 })])),
    ).toBeNull();
    const idle = rec({ kind: 'idle-reclaim' });
    expect(shapeAppearedAt(idle, ctx([pod('p', T - 1, T + 7_200_000, { kind: 'whole', count: 1 })]))).toBeNull();
    expect(shapeAppearedAt(idle, ctx([pod('p', T - 1, T + 1_800_000, { kind: 'whole', count: 1 })]))).toBe(
      T + 1_800_000,
    );
    const node = rec({
      kind: 'consolidate',
      target: { ...exampleRecommendation.target, namespace: null, workload: null, pod: null, tenant: null },
    });
    expect(shapeAppearedAt(node, ctx([]))).toBeNull();
    expect(shapeAppearedAt(node, ctx([], { nodeSeen: () => false }))).toBe(T + 7_200_000);
  });

  it('realised $ = (before $/h − after $/h) × 730, to the cent; null until the after side has hours', () => {
    expect(realisedMonthlySavingUsd({ costUsd: 40.9657, hours: 8 }, 'gone')).toBe(3738.12);
    expect(
      realisedMonthlySavingUsd({ costUsd: 4 * 8 * 5.12071875, hours: 8 }, { costUsd: 2 * 2 * 5.12071875, hours: 2 }),
    ).toBe(7476.25);
    expect(realisedMonthlySavingUsd({ costUsd: 10, hours: 8 }, { costUsd: 0, hours: 0 })).toBeNull();
    expect(realisedMonthlySavingUsd({ costUsd: 1, hours: 1 }, { costUsd: 4, hours: 2 })).toBe(-730);
  });
});

describe('adoption report', () => {
  it('adoption = (accepted + realised) / decided; realised estimated vs measured', () => {
    const recs = [
      rec({ status: 'realised', estimatedMonthlySavingUsd: 100, realisedMonthlySavingUsd: 90 }),
      rec({ status: 'realised', estimatedMonthlySavingUsd: 50, realisedMonthlySavingUsd: null }),
      rec({ status: 'accepted' }),
      rec({ status: 'dismissed', statusReason: 'no' }),
      rec({ status: 'open' }),
      rec({ kind: 'consolidate', status: 'expired' }),
    ];
    const r = adoptionReport(recs);
    expect(r.byStatus).toEqual({ open: 1, accepted: 1, dismissed: 1, expired: 1, realised: 2 });
    expect(r.adoptionRate).toBe(3 / 5);
    expect([r.realisedEstimatedMonthlySavingUsd, r.realisedMeasuredMonthlySavingUsd, r.realisedMeasured]).toEqual([
      150, 90, 1,
    ]);
    expect(r.byKind.consolidate?.adoptionRate).toBe(0);
    expect(adoptionReport([rec({ status: 'open' })]).adoptionRate).toBeNull();
  });
});

describe('workload key', () => {
  it("drops a Deployment's pod-template hash, keeps other owners, falls back to the pod", () => {
    expect(
      workloadName('web-7d9f5-abcde', { kind: 'ReplicaSet', name: 'web-7d9f5' }, { 'pod-template-hash': '7d9f5' }),
    ).toBe('web');
    expect(workloadName('web-7d9f5-abcde', { kind: 'ReplicaSet', name: 'web-7d9f5' }, {})).toBe('web-7d9f5');
    expect(workloadName('db-0', { kind: 'StatefulSet', name: 'db' }, { 'pod-template-hash': 'x' })).toBe('db');
    expect(workloadName('bare', null, {})).toBe('bare');
  });
});
