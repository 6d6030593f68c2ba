import { describe, it, expect, expectTypeOf } from 'vitest';
import { exampleGpuSampleBatch } from './examples.ts';
import {
  decodeGpuSampleBatch,
  GpuSampleBatchSchema,
  type GpuSample,
  type GpuSampleBatch,
  type MigInstance,
  type MigSample,
  type WholeGpuSample,
} from './gpu-sample-batch.ts';

const batch = exampleGpuSampleBatch;
const [wholeGpu, migWithUuid, migWithoutUuid] = batch.samples;
if (!wholeGpu || !migWithUuid || !migWithoutUuid) throw new Error('example batch must hold three samples');
const [podProcess] = batch.processes;
if (!podProcess) throw new Error('example batch must hold a process');

/** The reason a value is rejected with; fails the test when it is accepted. */
function reasonFor(value: unknown): string {
  const result = decodeGpuSampleBatch(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** DCGM_INT64_BLANK + 2 (NOT_SUPPORTED), 9223372036854775794, as JSON.parse reads it. */
const DCGM_NOT_SUPPORTED = 2 ** 63;

const withSample = (index: number, sample: object) => ({
  ...batch,
  samples: batch.samples.map((s, i) => (i === index ? sample : s)),
});

describe('GpuSampleBatch v1', () => {
  it('decodes a valid batch (whole GPU + MIG instances + processes) to an equal value', () => {
    const result = decodeGpuSampleBatch(JSON.stringify(batch));
    expect(result).toEqual({ ok: true, value: batch });
  });

  it('returns a frozen value', () => {
    const result = decodeGpuSampleBatch(JSON.stringify(batch));
    if (!result.ok) throw new Error(result.error);
    expect(Object.isFrozen(result.value)).toBe(true);
    expect(Object.isFrozen(result.value.samples)).toBe(true);
    expect(Object.isFrozen(result.value.samples[0])).toBe(true);
  });

  it('strips unknown fields instead of rejecting them (forward compatible)', () => {
    const result = decodeGpuSampleBatch(
      JSON.stringify({ ...withSample(0, { ...wholeGpu, fanSpeedPct: 30 }), hostKernel: '6.8.0' }),
    );
    expect(result).toEqual({ ok: true, value: batch });
  });

  it('accepts an empty batch (keeps seq dense when nothing could be read)', () => {
    const result = decodeGpuSampleBatch(JSON.stringify({ ...batch, samples: [], processes: [] }));
    expect(result.ok).toBe(true);
  });

  it('narrows a sample by kind: MIG samples have a parent and MIG info', () => {
    expectTypeOf<MigSample['parentGpuUuid']>().toEqualTypeOf<string>();
    expectTypeOf<MigSample['mig']>().toEqualTypeOf<MigInstance>();
    expectTypeOf<WholeGpuSample['mig']>().toEqualTypeOf<null>();
    expectTypeOf<GpuSampleBatch['samples']>().toMatchTypeOf<readonly GpuSample[]>();
  });

  it.each([
    ['utilization above 100', withSample(1, { ...migWithUuid, utilizationPct: 101 }), 'samples[1].utilizationPct:'],
    ['utilization as a string', withSample(0, { ...wholeGpu, utilizationPct: '45 %' }), 'samples[0].utilizationPct:'],
    ['negative memory bytes', withSample(0, { ...wholeGpu, memoryUsedBytes: -1 }), 'samples[0].memoryUsedBytes:'],
    ['fractional memory bytes', withSample(0, { ...wholeGpu, memoryTotalBytes: 1.5 }), 'samples[0].memoryTotalBytes:'],
    [
      'a DCGM blank sentinel leaking through',
      withSample(0, { ...wholeGpu, eccCorrectedTotal: DCGM_NOT_SUPPORTED }),
      'samples[0].eccCorrectedTotal:',
    ],
    [
      'DCGM activity as a 0..1 ratio above range',
      withSample(1, { ...migWithUuid, smActivePct: 140 }),
      'samples[1].smActivePct:',
    ],
    [
      'MIG sample without parentGpuUuid',
      withSample(1, { ...migWithUuid, parentGpuUuid: null }),
      'samples[1].parentGpuUuid:',
    ],
    ['MIG sample without MIG info', withSample(2, { ...migWithoutUuid, mig: null }), 'samples[2].mig:'],
    [
      'whole GPU with a parent',
      withSample(0, { ...wholeGpu, parentGpuUuid: migWithUuid.parentGpuUuid }),
      'samples[0].parentGpuUuid:',
    ],
    ['whole GPU keyed by index instead of UUID', withSample(0, { ...wholeGpu, gpuUuid: '0' }), 'samples[0].gpuUuid:'],
    ['unknown sample kind', withSample(0, { ...wholeGpu, kind: 'vgpu' }), 'samples[0].kind:'],
    [
      'a GPU index beyond the UInt32 the store keeps',
      withSample(0, { ...wholeGpu, index: 2 ** 32 }),
      'samples[0].index:',
    ],
    [
      'a MIG instance id beyond UInt32',
      withSample(1, { ...migWithUuid, mig: { gpuInstanceId: 2 ** 32, computeInstanceId: 0, profile: null } }),
      'samples[1].mig.gpuInstanceId:',
    ],
    [
      'a bad MIG profile',
      withSample(1, { ...migWithUuid, mig: { gpuInstanceId: 3, computeInstanceId: 0, profile: '<<<NULL>>>' } }),
      'samples[1].mig.profile:',
    ],
    ['non-integer seq', { ...batch, seq: 1.5 }, 'seq:'],
    ['negative seq', { ...batch, seq: -1 }, 'seq:'],
    ['wrong schemaVersion', { ...batch, schemaVersion: 2 }, 'schemaVersion:'],
    ['unknown source', { ...batch, source: 'rocm-smi' }, 'source:'],
    ['empty agentId', { ...batch, agentId: '' }, 'agentId:'],
    ['collectedAtMs in seconds', { ...batch, collectedAtMs: 1_752_483_644 }, 'collectedAtMs:'],
    ['process pid 0', { ...batch, processes: [{ ...podProcess, pid: 0 }] }, 'processes[0].pid:'],
    ['process pid beyond UInt32', { ...batch, processes: [{ ...podProcess, pid: 2 ** 32 }] }, 'processes[0].pid:'],
    [
      'process memory as a string',
      { ...batch, processes: [{ ...podProcess, usedMemoryBytes: '7484 MiB' }] },
      'processes[0].usedMemoryBytes:',
    ],
  ])('rejects %s, naming the field', (_name, value, path) => {
    expect(reasonFor(value)).toContain(path);
  });

  it('reports a missing field as missing', () => {
    const value = Object.fromEntries(Object.entries(batch).filter(([key]) => key !== 'bootId'));
    expect(reasonFor(value)).toBe('bootId: missing (expected string)');
  });

  it('reports a fractional integer plainly', () => {
    expect(reasonFor({ ...batch, seq: 1.5 })).toBe('seq: expected an integer, received 1.5');
  });

  it('explains a seconds-for-milliseconds slip', () => {
    expect(reasonFor({ ...batch, collectedAtMs: 1_752_483_644 })).toMatch(/^collectedAtMs: .*seconds/);
  });

  it('rejects bad JSON with a parse reason', () => {
    const result = decodeGpuSampleBatch('{"schemaVersion":1,');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^invalid JSON: /);
  });

  it('exposes the schema for boundaries that already hold a parsed value', () => {
    expect(GpuSampleBatchSchema.safeParse(batch).success).toBe(true);
  });
});
