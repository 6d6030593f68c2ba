import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../../test/helpers/fixtures.ts';
import { hamiRequest, requestShare, timeSlicingRequest, traceGpuRequest } from './gpu-share.ts';

const GIB = 1024 ** 3;

describe('requestShare', () => {
  it('counts whole GPUs, fractions, MIG slices and nothing', () => {
    expect(requestShare({ kind: 'whole', count: 4 }, 'H100')).toBe(4);
    expect(requestShare({ kind: 'fraction', milli: 250 }, 'T4')).toBe(0.25);
    expect(requestShare({ kind: 'mig', profile: '3g.40gb', count: 2 }, 'A100-80GB')).toBe(6 / 7);
    expect(requestShare({ kind: 'none' }, 'T4')).toBe(0);
  });
});

describe('request adapters', () => {
  it('maps the openb trace rows (num_gpu, gpu_milli) to requests', () => {
    const csv = readFileSync(join(SHARED_DIR, 'traces/openb/openb_pod_list_default.csv'), 'utf8').trim().split('\n');
    const header = (csv[0] ?? '').split(',');
    const [iNum, iMilli] = [header.indexOf('num_gpu'), header.indexOf('gpu_milli')];
    const kinds = { none: 0, whole: 0, fraction: 0, mig: 0 };
    let gpus = 0;
    for (const line of csv.slice(1)) {
      const f = line.split(',');
      const request = traceGpuRequest(Number(f[iNum]), Number(f[iMilli]));
      kinds[request.kind]++;
      gpus += requestShare(request, 'T4');
    }
    // README: 1088 CPU-only pods, 3078 GPU-sharing pods, total GPU request 6087 (98.0% of 6212).
    expect(kinds).toEqual({ none: 1088, whole: 8152 - 1088 - 3078, fraction: 3078, mig: 0 });
    expect(Math.round(gpus)).toBe(6087);
    expect(traceGpuRequest(1, 460)).toEqual({ kind: 'fraction', milli: 460 });
    expect(traceGpuRequest(8, 1000)).toEqual({ kind: 'whole', count: 8 });
  });

  it('maps time-slicing replicas to a milli share', () => {
    expect(timeSlicingRequest(4)).toEqual({ kind: 'fraction', milli: 250 });
    expect(timeSlicingRequest(3)).toEqual({ kind: 'fraction', milli: 333 });
    expect(timeSlicingRequest(1)).toEqual({ kind: 'whole', count: 1 });
    expect(() => timeSlicingRequest(0)).toThrow(/replicas must be an integer ≥ 1/);
  });

  it('maps HAMi gpucores/gpumem to the larger of the two shares', () => {
    expect(hamiRequest({ gpucoresPct: 30, gpuMemoryTotalBytes: 80 * GIB })).toEqual({ kind: 'fraction', milli: 300 });
    expect(hamiRequest({ gpucoresPct: 20, gpumemBytes: 48 * GIB, gpuMemoryTotalBytes: 80 * GIB })).toEqual({
      kind: 'fraction',
      milli: 600,
      memoryBytes: 48 * GIB,
    });
    expect(hamiRequest({ gpuMemoryTotalBytes: 80 * GIB })).toEqual({ kind: 'whole', count: 1 });
    expect(hamiRequest({ gpucoresPct: 100, gpuMemoryTotalBytes: 80 * GIB })).toEqual({ kind: 'whole', count: 1 });
  });
});
