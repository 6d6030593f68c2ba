import { describe, expect, it } from 'vitest';
import { GpuRequestSchema, type GpuRequest } from '../../contracts/index.ts';
import { gpuUuidsOf } from './assigned-gpus.ts';
import { gpuRequestOf, parseQuantity, type ContainerResourcesLike } from './gpu-request.ts';

const limits = (l: Record<string, string>, requests?: Record<string, string>): ContainerResourcesLike => ({
  resources: { limits: l, ...(requests ? { requests } : {}) },
});
const pod = (...containers: ContainerResourcesLike[]) => ({ containers });

describe('gpuRequestOf', () => {
  it.each<[string, ReturnType<typeof pod>, GpuRequest]>([
    ['no resources at all', pod({}), { kind: 'none' }],
    ['CPU and memory only', pod(limits({ cpu: '2', memory: '8Gi' })), { kind: 'none' }],
    ['nvidia.com/gpu: 1', pod(limits({ 'nvidia.com/gpu': '1' })), { kind: 'whole', count: 1 }],
    [
      'two containers with 4 + 4 GPUs',
      pod(limits({ 'nvidia.com/gpu': '4' }), limits({ 'nvidia.com/gpu': '4' })),
      { kind: 'whole', count: 8 },
    ],
    [
      'a GPU given only as a request (defaulted limit)',
      pod({ resources: { requests: { 'nvidia.com/gpu': '2' } } }),
      { kind: 'whole', count: 2 },
    ],
    [
      'limits over requests',
      pod(limits({ 'nvidia.com/gpu': '2' }, { 'nvidia.com/gpu': '1' })),
      { kind: 'whole', count: 2 },
    ],
    ['a MIG slice', pod(limits({ 'nvidia.com/mig-1g.10gb': '1' })), { kind: 'mig', profile: '1g.10gb', count: 1 }],
    [
      'two MIG 3g.40gb slices over two containers',
      pod(limits({ 'nvidia.com/mig-3g.40gb': '1' }), limits({ 'nvidia.com/mig-3g.40gb': '1' })),
      { kind: 'mig', profile: '3g.40gb', count: 2 },
    ],
    [
      'a compute-instance MIG profile',
      pod(limits({ 'nvidia.com/mig-1c.2g.20gb': '1' })),
      { kind: 'mig', profile: '1c.2g.20gb', count: 1 },
    ],
    [
      'a media-extension MIG profile',
      pod(limits({ 'nvidia.com/mig-1g.10gb+me': '1' })),
      { kind: 'mig', profile: '1g.10gb+me', count: 1 },
    ],
    ['a nvidia.com/mig-* name that is no profile', pod(limits({ 'nvidia.com/mig-strategy': '1' })), { kind: 'none' }],
    [
      'HAMi: 1 vGPU, 30 % cores, 3000 MiB',
      pod(limits({ 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': '30', 'nvidia.com/gpumem': '3000' })),
      { kind: 'fraction', milli: 300, memoryBytes: 3000 * 2 ** 20 },
    ],
    [
      'HAMi: cores only, vGPU count defaulted to 1',
      pod(limits({ 'nvidia.com/gpucores': '25' })),
      { kind: 'fraction', milli: 250 },
    ],
    [
      'HAMi: memory percentage only',
      pod(limits({ 'nvidia.com/gpu': '1', 'nvidia.com/gpumem-percentage': '50' })),
      { kind: 'fraction', milli: 500 },
    ],
    [
      'HAMi: memory cap but no core cap → the whole GPU',
      pod(limits({ 'nvidia.com/gpu': '1', 'nvidia.com/gpumem': '8000' })),
      { kind: 'whole', count: 1 },
    ],
    [
      'HAMi: two containers at 20 % and 30 %',
      pod(
        limits({ 'nvidia.com/gpucores': '20', 'nvidia.com/gpumem': '1024' }),
        limits({ 'nvidia.com/gpucores': '30', 'nvidia.com/gpumem': '2048' }),
      ),
      { kind: 'fraction', milli: 500, memoryBytes: 3072 * 2 ** 20 },
    ],
    [
      'HAMi: 2 vGPUs at 60 % → rounded up to 2 whole',
      pod(limits({ 'nvidia.com/gpu': '2', 'nvidia.com/gpucores': '60' })),
      { kind: 'whole', count: 2 },
    ],
    [
      'HAMi: 100 % cores',
      pod(limits({ 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': '100' })),
      { kind: 'whole', count: 1 },
    ],
  ])('%s', (_name, spec, expected) => {
    const request = gpuRequestOf(spec);
    expect(request).toEqual(expected);
    expect(GpuRequestSchema.safeParse(request).success).toBe(true);
  });

  it('time-slicing: k of R replicas of nvidia.com/gpu.shared is floor(1000·k/R) milli; unknown R charges whole', () => {
    const shared = (k: string) => pod(limits({ 'nvidia.com/gpu.shared': k }));
    expect(gpuRequestOf(shared('1'), { sharedGpuReplicas: 4 })).toEqual({ kind: 'fraction', milli: 250 });
    expect(gpuRequestOf(shared('1'), { sharedGpuReplicas: 3 })).toEqual({ kind: 'fraction', milli: 333 });
    expect(gpuRequestOf(shared('2'), { sharedGpuReplicas: 10 })).toEqual({ kind: 'fraction', milli: 200 });
    expect(gpuRequestOf(shared('4'), { sharedGpuReplicas: 4 })).toEqual({ kind: 'whole', count: 1 });
    expect(gpuRequestOf(shared('1'))).toEqual({ kind: 'whole', count: 1 });
  });

  it('init containers: the pod needs max(sum of app containers + sidecars, largest regular init container)', () => {
    const spec = {
      initContainers: [
        { ...limits({ 'nvidia.com/gpu': '4' }) },
        { ...limits({ 'nvidia.com/gpu': '1' }), restartPolicy: 'Always' },
      ],
      containers: [limits({ 'nvidia.com/gpu': '2' })],
    };
    expect(gpuRequestOf(spec)).toEqual({ kind: 'whole', count: 4 });
    expect(gpuRequestOf({ ...spec, initContainers: spec.initContainers.slice(1) })).toEqual({
      kind: 'whole',
      count: 3,
    });
  });

  it('parses Kubernetes quantities and rejects what is none', () => {
    expect([
      parseQuantity('3000'),
      parseQuantity('1k'),
      parseQuantity('2Ki'),
      parseQuantity('500m'),
      parseQuantity('1Gi'),
    ]).toEqual([3000, 1000, 2048, 0.5, 2 ** 30]);
    expect(parseQuantity('ten')).toBeNaN();
    expect(gpuRequestOf(pod(limits({ 'nvidia.com/gpu': 'lots' })))).toEqual({ kind: 'none' });
  });
});

describe('gpuUuidsOf (HAMi allocation annotation)', () => {
  it('reads device UUIDs across containers, in order and once each', () => {
    const annotations = {
      'hami.io/vgpu-devices-allocated':
        'GPU-0fc3eda5-e98b-a25b-5b0d-cf5c855d1448,NVIDIA,3000,30:GPU-03f69c50-207a-2038-9b45-23cac89cb67d,NVIDIA,3000,30:;GPU-0fc3eda5-e98b-a25b-5b0d-cf5c855d1448,NVIDIA,1000,10:;',
    };
    expect(gpuUuidsOf(annotations)).toEqual([
      'GPU-0fc3eda5-e98b-a25b-5b0d-cf5c855d1448',
      'GPU-03f69c50-207a-2038-9b45-23cac89cb67d',
    ]);
  });

  it('is empty without the annotation or when it is still pending (";")', () => {
    expect(gpuUuidsOf({})).toEqual([]);
    expect(gpuUuidsOf({ 'hami.io/vgpu-devices-allocated': ';' })).toEqual([]);
  });
});
