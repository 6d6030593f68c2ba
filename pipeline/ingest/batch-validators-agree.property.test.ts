import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GpuSampleBatchSchema, SAMPLE_COUNTER_KEYS, type GpuSampleBatch } from '../../contracts/index.ts';
import { captureBatches } from '../../test/helpers/capture-batches.ts';
import { mutatedBatchJson } from '../../test/helpers/mutate-batch.ts';
import { checkGpuSampleBatch } from './fast-batch-check.ts';
import { scanGpuSampleBatch } from './gpu-batch-scanner.ts';

/**
 * The batch's rules are written three times: the zod schema (the authority), fast-batch-check.ts
 * (on a parsed object) and gpu-batch-scanner.ts (on the JSON bytes). Each fast path may refuse what it
 * does not cover (an unknown field zod strips, an escape, non-ASCII), so this test keeps to what all
 * three cover: a real batch with one known field set to an edge value or removed, written by
 * JSON.stringify with plain ASCII strings. There the three must give the same verdict, valid or not.
 */

/** The captures whose JSON has no escapes (the Windows capture's backslashed paths are the scanner's to refuse). */
const BATCHES: GpuSampleBatch[] = captureBatches().filter((b) => !JSON.stringify(b).includes('\\'));

// Every optional counter, whether or not a capture has it (contracts/sample-counters.ts).
const SAMPLE_OPTIONAL = ['xidErrors', 'pciBusId', ...SAMPLE_COUNTER_KEYS];
const KEYS = {
  batch: Object.keys(BATCHES[0]!),
  sample: [...new Set([...BATCHES.flatMap((b) => b.samples.flatMap((s) => Object.keys(s))), ...SAMPLE_OPTIONAL])],
  mig: ['gpuInstanceId', 'computeInstanceId', 'profile'],
  process: ['gpuUuid', 'pid', 'processName', 'usedMemoryBytes', 'podUid', 'containerId', 'gpuInstanceId'],
};

/** Strings JSON.stringify writes without an escape: printable ASCII but `"` and `\`. */
const plainString = fc
  .string({ maxLength: 6, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) })
  .filter((s) => !s.includes('"') && !s.includes('\\'));

const EDGE_VALUES = [
  null,
  0,
  -1,
  1,
  1.5,
  -0.5,
  99.5,
  100,
  100.5,
  101,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  946_684_800_000,
  946_684_799_999,
  4_102_444_800_000,
  4_102_444_800_001,
  '',
  'x',
  'GPU-1',
  'MIG-1',
  'GPU',
  'gpu',
  'mig',
  'dcgm',
  'nvidia-smi-csv',
  'nvidia-smi',
  '1g.10gb',
  '7g.80gb+me',
  '1c.2g.20gb',
  '2g.20',
  '1g.10gb ',
  [],
  ['x'],
  [''],
  [1],
  [-1],
  [2 ** 32],
  {},
  { gpuInstanceId: 1, computeInstanceId: null, profile: '1g.10gb' },
  { gpuInstanceId: 1, computeInstanceId: 0, profile: 'bad' },
  true,
];

type Where = keyof typeof KEYS;

/** A real batch with one known field somewhere (batch, a sample, its mig, a process) set or removed. */
const mutatedBatch = fc
  .record({
    batch: fc.nat(BATCHES.length - 1),
    where: fc.constantFrom<Where>('batch', 'sample', 'sample', 'mig', 'process', 'process'),
    index: fc.nat(40),
    key: fc.nat(40),
    value: fc.oneof(fc.constantFrom(...EDGE_VALUES), fc.double(), fc.integer(), plainString),
    remove: fc.boolean(),
  })
  .map(({ batch, where, index, key, value, remove }) =>
    mutatedBatchJson(BATCHES[batch]!, { where, index, key: KEYS[where][key % KEYS[where].length]!, value, remove }),
  );

function verdicts(text: string) {
  return {
    zod: GpuSampleBatchSchema.safeParse(JSON.parse(text)).success,
    fastCheck: checkGpuSampleBatch(JSON.parse(text)) !== null,
    scanner: scanGpuSampleBatch(Buffer.from(text, 'utf8')) !== null,
  };
}

describe('the three GpuSampleBatch validators (zod, fast check, scanner)', () => {
  it('agree on every valid and invalid batch they all cover (property)', () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(mutatedBatch, (text) => {
        const v = verdicts(text);
        expect({ fastCheck: v.fastCheck, scanner: v.scanner }).toEqual({ fastCheck: v.zod, scanner: v.zod });
        if (v.zod) valid += 1;
        else invalid += 1;
      }),
      { numRuns: 5000 },
    );
    expect(valid).toBeGreaterThan(500);
    expect(invalid).toBeGreaterThan(500);
  });

  it('agree on the captures as they are', () => {
    expect(BATCHES.length).toBeGreaterThan(2);
    for (const b of BATCHES) expect(verdicts(JSON.stringify(b))).toEqual({ zod: true, fastCheck: true, scanner: true });
  });
});
