import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GpuSampleBatchSchema, type GpuSampleBatch } from '../../contracts/index.ts';
import { captureBatches } from '../../test/helpers/capture-batches.ts';
import { mutatedBatchJson, type BatchPlace } from '../../test/helpers/mutate-batch.ts';
import { checkGpuSampleBatch } from './fast-batch-check.ts';

const BATCHES: GpuSampleBatch[] = captureBatches();
/** As the pipeline sees them: JSON text parsed back (undefined dropped). */
const fromJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const EDGE_VALUES = [
  null,
  undefined,
  0,
  -0,
  -1,
  1,
  1.5,
  99.5,
  100,
  100.01,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  EPOCH(0),
  EPOCH(-1),
  EPOCH(1),
  '',
  'x',
  'GPU-1',
  'MIG-1',
  '1g.10gb',
  'bad',
  [],
  ['x'],
  [''],
  [1],
  [-1],
  {},
  true,
];
function EPOCH(delta: number) {
  return (delta < 0 ? 946_684_800_000 : 4_102_444_800_000) + delta;
}

/** A valid batch with one field somewhere (batch, a sample, its mig, a process) set, deleted or added. */
const mutated = fc
  .record({
    batch: fc.nat(BATCHES.length - 1),
    where: fc.constantFrom<BatchPlace>('batch', 'sample', 'mig', 'process'),
    index: fc.nat(40),
    key: fc.oneof(
      fc.constantFrom(
        ...Object.keys(BATCHES[0]!),
        ...Object.keys(BATCHES[0]!.samples[0]!),
        'gpuInstanceId',
        'computeInstanceId',
        'profile',
        'pid',
        'podUid',
        'kind',
      ),
      fc.string({ maxLength: 5 }),
    ),
    value: fc.oneof(fc.constantFrom(...EDGE_VALUES), fc.double(), fc.integer()),
    remove: fc.boolean(),
  })
  .map(
    ({ batch, where, index, key, value, remove }) =>
      JSON.parse(mutatedBatchJson(BATCHES[batch]!, { where, index, key, value, remove })) as unknown,
  );

describe('fast GpuSampleBatch check', () => {
  it('accepts the real-capture batches as they are (the fast path is the common path)', () => {
    for (const b of BATCHES) {
      const parsed = fromJson(b);
      expect(checkGpuSampleBatch(parsed)).toBe(parsed); // the same object: no copy
    }
  });

  it('never accepts what the zod schema rejects, and accepts only values zod returns unchanged (property)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutated, (value) => {
        const fast = checkGpuSampleBatch(value);
        if (fast === null) return;
        accepted += 1;
        const zod = GpuSampleBatchSchema.safeParse(value);
        expect(zod.success).toBe(true);
        expect(zod.data).toEqual(value);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('leaves to zod what zod would change or reject: unknown fields, wrong types', () => {
    expect(checkGpuSampleBatch({ ...(fromJson(BATCHES[3]) as object), extra: 1 })).toBeNull();
    expect(checkGpuSampleBatch('{"schemaVersion":1}')).toBeNull();
    expect(checkGpuSampleBatch(null)).toBeNull();
  });
});
