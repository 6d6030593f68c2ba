import { describe, expect, it } from 'vitest';
import { GPU_MILLI, type PodRequest } from '../cluster.ts';
import { POLICIES } from '../policies/index.ts';
import { computeWorkloadShapes } from '../workload-shapes.ts';
import { createPlacementExtender } from './extender.ts';
import { GPU_ISLANDS_ANNOTATION, GPU_PRODUCT_LABEL, kubeNodeOf, kubePodOf, type KubePod } from './kube-objects.ts';
import { parseIslandsAnnotation, pickIslandGpus } from './topology.ts';

const kubeNode = (name: string, gpus: number, model = 'A100', islands?: string) => ({
  metadata: {
    name,
    labels: { [GPU_PRODUCT_LABEL]: model },
    ...(islands ? { annotations: { [GPU_ISLANDS_ANNOTATION]: islands } } : {}),
  },
  status: { allocatable: { cpu: '64', memory: '256Gi', 'nvidia.com/gpu': String(gpus) } },
});

const kubePod = (name: string, resources: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'team', uid: `uid-${name}` },
  spec: {
    containers: [{ name: 'c', resources: { requests: { cpu: '4', memory: '8Gi' }, limits: resources } }],
    ...extra,
  },
});

const request = (p: Partial<PodRequest>): PodRequest => ({
  name: 'p',
  cpuMilli: 4000,
  memoryMib: 8192,
  gpuCount: 1,
  gpuMilli: GPU_MILLI,
  gpuSpec: [],
  ...p,
});

const workload = computeWorkloadShapes([request({ gpuMilli: 500 }), request({}), request({ gpuCount: 4 })]);

describe('Node and Pod objects → the policies’ model', () => {
  it('reads allocatable CPU, memory, GPUs, the GFD product label and the islands annotation', () => {
    expect(kubeNodeOf(kubeNode('n1', 8, 'NVIDIA-A100-SXM4-80GB', '0,1;2,3|0,1,2,3'))).toEqual({
      spec: { name: 'n1', cpuMilli: 64_000, memoryMib: 262_144, gpuCount: 8, gpuModel: 'NVIDIA-A100-SXM4-80GB' },
      islands: [
        [
          [0, 1],
          [2, 3],
        ],
        [[0, 1, 2, 3]],
      ],
    });
  });

  it('reads whole, HAMi fraction and MIG requests, and the allowed models from node affinity', () => {
    expect(kubePodOf(kubePod('w', { 'nvidia.com/gpu': '2' })).request).toMatchObject({ gpuCount: 2, gpuMilli: 1000 });
    expect(kubePodOf(kubePod('f', { 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': '30' })).request).toMatchObject({
      gpuCount: 1,
      gpuMilli: 300,
      cpuMilli: 4000,
      memoryMib: 8192,
    });
    expect(kubePodOf(kubePod('m', { 'nvidia.com/mig-3g.40gb': '1' })).request).toMatchObject({ gpuMilli: 428 });
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: GPU_PRODUCT_LABEL, operator: 'In', values: ['T4', 'V100'] }] },
          ],
        },
      },
    };
    const pod = kubePodOf(kubePod('a', { 'nvidia.com/gpu': '1' }, { affinity }));
    expect(pod).toMatchObject({ key: 'team/a', uid: 'uid-a', request: { gpuSpec: ['T4', 'V100'] } });
  });
});

describe('the extender', () => {
  const setup = () => {
    const ext = createPlacementExtender({ policy: POLICIES['gpu-ledger']!, workload });
    ext.upsertNode(kubeNodeOf(kubeNode('big', 8))!);
    ext.upsertNode(kubeNodeOf(kubeNode('small', 2))!);
    ext.upsertNode(kubeNodeOf(kubeNode('t4', 4, 'T4'))!);
    return ext;
  };
  const pod = (name: string, r: Partial<PodRequest>): KubePod => ({
    key: `team/${name}`,
    uid: name,
    request: request(r),
  });

  it('filters out nodes without room, the wrong model and unknown nodes, saying why', () => {
    const ext = setup();
    const { passing, failed } = ext.filter(
      pod('a', { gpuCount: 4, gpuSpec: ['A100'] }),
      ['big', 'small', 't4', 'gone'],
      0,
    );
    expect([...passing]).toEqual(['big']);
    expect([...failed.keys()]).toEqual(['small', 't4', 'gone']);
    expect(failed.get('gone')).toMatch(/not known/);
  });

  it('gives 10 to the policy’s best nodes only and scales the others below', () => {
    const ext = setup();
    const p = pod('a', { gpuCount: 1, gpuMilli: 500 });
    const scores = ext.prioritize(p, ['big', 'small', 't4'], 0);
    const policy = POLICIES['gpu-ledger']!;
    const raw = ['big', 'small', 't4'].map((n) => policy.score(ext.nodeState(n)!, p.request, workload)!.score);
    const best = Math.max(...raw);
    ['big', 'small', 't4'].forEach((n, i) => expect(scores.get(n) === 10).toBe(raw[i] === best));
    expect([...scores.values()].every((s) => Number.isInteger(s) && s >= 0 && s <= 10)).toBe(true);
  });

  it('records the bind: the GPUs are taken, and released again when the pod is gone', () => {
    const ext = setup();
    const p = pod('a', { gpuCount: 1, gpuMilli: 500 });
    const planned = ext.planBind(p, 'small');
    if (!planned.ok) throw new Error(planned.error);
    ext.commitBind(planned.plan, 1000);
    expect(ext.nodeState('small')!.gpuFreeMilli).toEqual([500, 1000]);
    ext.reconcile(new Set(), 500); // listed before the bind: the pod stays
    expect(ext.placement('team/a')?.gpuIndexes).toEqual([0]);
    ext.reconcile(new Set(), 2000);
    expect(ext.nodeState('small')!.gpuFreeMilli).toEqual([1000, 1000]);
  });

  it('puts a multi-GPU pod inside one island: the fullest island that still holds it', () => {
    const ext = createPlacementExtender({ policy: POLICIES['gpu-ledger']!, workload });
    ext.upsertNode(kubeNodeOf(kubeNode('dgx', 8, 'A100', '0,1,2,3;4,5,6,7|0,1,2,3,4,5,6,7'))!);
    const one = ext.planBind(pod('one', { gpuCount: 1 }), 'dgx');
    if (!one.ok) throw new Error(one.error);
    ext.commitBind({ ...one.plan, gpuIndexes: [1] }, 0);
    const two = ext.planBind(pod('two', { gpuCount: 2 }), 'dgx');
    expect(two.ok && two.plan.gpuIndexes).toEqual([0, 2]);
    const four = ext.planBind(pod('four', { gpuCount: 4 }), 'dgx');
    expect(four.ok && four.plan.gpuIndexes).toEqual([4, 5, 6, 7]);
  });

  it('spans as few NUMA pairs as it can when no pair holds the pod (DGX A100 pairs)', () => {
    const islands = parseIslandsAnnotation('0,1;2,3;4,5;6,7|0,1,2,3,4,5,6,7');
    expect(pickIslandGpus([1, 4, 5, 6, 7], 4, islands)).toEqual([4, 5, 6, 7]);
    expect(pickIslandGpus([1, 4, 6, 7], 3, islands)).toEqual([1, 6, 7]); // one whole pair, then the lowest index
    expect(pickIslandGpus([1, 3], 2, islands)).toEqual([1, 3]);
    expect(pickIslandGpus([1, 3], 3, islands)).toBeNull();
    expect(pickIslandGpus([0, 1, 2], 2, [])).toBeNull();
  });

  it('keeps pods off a node whose hint carries a critical anomaly, until the hint is stale', () => {
    const ext = setup();
    const anomaly = { alertId: 'a1', ruleId: 'xid-79', severity: 'critical' as const, summary: 'GPU fell off the bus' };
    ext.applyHint({
      node: 'big',
      computedAtMs: 1000,
      staleAfterMs: 500,
      activeAnomalies: [{ ...anomaly, gpuUuid: null, startsAtMs: 900 }],
    } as unknown as Parameters<typeof ext.applyHint>[0]);
    const p = pod('a', {});
    expect(ext.filter(p, ['big'], 1200).failed.get('big')).toMatch(/xid-79/);
    expect(ext.prioritize(p, ['big'], 1200).get('big')).toBe(0);
    expect(ext.filter(p, ['big'], 1600).passing.has('big')).toBe(true);
  });
});
