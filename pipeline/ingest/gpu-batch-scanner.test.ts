import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../bench/ingest-fleet.ts';
import { decodeGpuSampleBatch, GpuSampleBatchSchema, type GpuSampleBatch } from '../../contracts/index.ts';
import { captureBatches, CAPTURE_BATCH_MS } from '../../test/helpers/capture-batches.ts';
import { fixturePath } from '../../test/helpers/fixtures.ts';
import { mutatedBatchJson, type BatchPlace } from '../../test/helpers/mutate-batch.ts';
import { encodeGpuProcessBlock, encodeGpuSampleBlock } from '../store/gpu-batch-encoder.ts';
import { packGpuSampleBatch, type PackedGpuBatch } from './packed-gpu-batch.ts';
import { decodePackedGpuSampleBatch } from './decode-records.ts';
import { scanGpuSampleBatch } from './gpu-batch-scanner.ts';

const T = CAPTURE_BATCH_MS;
const BATCHES: GpuSampleBatch[] = captureBatches();
const bytes = (text: string) => Buffer.from(text, 'utf8');
const INGESTED_AT = T + 5_000;

/** Everything the store writes of a packed batch, comparable with toEqual (-0 and NaN included). */
function stored(p: PackedGpuBatch) {
  return {
    identity: [p.agentId, p.bootId, p.seq, p.cluster, p.node, p.collectedAtMs, p.source, p.sampleCount, p.processCount],
    numbers: Array.from(p.numbers, (n) => (Object.is(n, -0) ? '-0' : n)),
    samples: encodeGpuSampleBlock([p], INGESTED_AT).data.toString('hex'),
    processes: encodeGpuProcessBlock([p]).data.toString('hex'),
    xids: p.xids,
  };
}

/** What JSON.parse + zod make of a text: the packed batch, or null when zod refuses it. */
function viaZod(text: string): PackedGpuBatch | null {
  const r = decodeGpuSampleBatch(text);
  return r.ok ? packGpuSampleBatch(r.value) : null;
}

const EDGE_VALUES = [
  null,
  0,
  -0,
  -1,
  1,
  1.5,
  -0.5,
  99.5,
  100,
  100.01,
  101,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 - 1,
  1e21,
  946_684_800_000,
  946_684_799_999,
  4_102_444_800_000,
  4_102_444_800_001,
  '',
  'x',
  'GPU-1',
  'MIG-1',
  'GPU',
  'GPU-',
  'MIG',
  'MIG-',
  'MIGX-1',
  'GPUX-1',
  'G',
  'gpu',
  'mig',
  'Gpu',
  'migs',
  'nvidia-smi-xml',
  'nvidia-smi-csv',
  'dcgm',
  'dcgmx',
  'nvidia-smi',
  '1g.10gb',
  '7g.80gb+me',
  '1c.2g.20gb',
  '2g.20',
  'g.10gb',
  '1g.10gb ',
  'bad',
  [],
  ['x'],
  [''],
  [1],
  [-1],
  [1.5],
  [null],
  {},
  { gpuInstanceId: 1, computeInstanceId: null, profile: null },
  true,
  false,
];
const KEYS = [
  ...new Set(
    BATCHES.flatMap((b) => [
      ...Object.keys(b),
      ...b.samples.flatMap((s) => Object.keys(s)),
      ...b.processes.flatMap((p) => Object.keys(p)),
    ]),
  ),
  'gpuInstanceId',
  'computeInstanceId',
  'profile',
  '__proto__',
];

/** A real batch with one field somewhere (batch, a sample, its mig, a process) set, deleted or added, written as JSON. */
const mutatedText = fc
  .record({
    batch: fc.nat(BATCHES.length - 1),
    where: fc.constantFrom<BatchPlace>('batch', 'sample', 'sample', 'mig', 'process', 'process'),
    index: fc.nat(40),
    key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })),
    value: fc.oneof(fc.constantFrom(...EDGE_VALUES), fc.double(), fc.integer(), fc.string({ maxLength: 4 })),
    remove: fc.boolean(),
  })
  .map(({ batch, where, index, key, value, remove }) =>
    mutatedBatchJson(BATCHES[batch]!, { where, index, key, value, remove }),
  );

/** The same JSON written differently: spaces, number spellings, an escape, a reordered or duplicated key, or damaged. */
const respelled = fc
  .tuple(
    mutatedText,
    fc.nat(),
    fc.constantFrom('space', 'number', 'escape', 'duplicate', 'truncate', 'byte', 'unicode'),
  )
  .map(([text, at, how]) => {
    const i = at % text.length;
    switch (how) {
      case 'space':
        return text.slice(0, i) + (text[i] === ',' || text[i] === ':' ? ' ' : '') + text.slice(i);
      case 'number':
        return text.replace(
          /(:|,|\[)(-?\d+)(?=[,}\]])/,
          (_m, p: string, n: string) => `${p}${n}${['.0', 'e0', 'E+0', '.000', '0e-1'][at % 5]}`,
        );
      case 'escape':
        return text.replace('"gpuUuid":"GPU', '"gpuUuid":"\\u0047PU');
      case 'duplicate':
        return text.replace('"seq":', '"seq":7,"seq":');
      case 'truncate':
        return text.slice(0, i);
      case 'byte':
        return text.slice(0, i) + String.fromCharCode(at % 128) + text.slice(i + 1);
      default:
        return text.replace('"model":"', '"model":"é');
    }
  });

describe('GPU batch scanner', () => {
  it('accepts the real-capture batches and the bench fleet as JSON text, packing what JSON.parse + zod pack', () => {
    const fleet = buildFleet({
      fixturesDir: fixturePath(),
      nodes: 6,
      gpusPerNode: 8,
      cluster: 'unit',
      runId: 'scan',
    }).map((n) => n.render(3, T));
    const texts = [...BATCHES.map((b) => JSON.stringify(b)), ...fleet];
    for (const text of texts) {
      const general = viaZod(text)!;
      // The Windows capture's process names are paths: escaped backslashes, left to the general decoder.
      if (text.includes('\\')) {
        expect(scanGpuSampleBatch(bytes(text))).toBeNull();
        const r = decodePackedGpuSampleBatch(text);
        expect(r.ok && stored(r.value)).toEqual(stored(general));
        continue;
      }
      const scanned = scanGpuSampleBatch(bytes(text));
      expect(scanned).not.toBeNull();
      expect(stored(scanned!)).toEqual(stored(general));
    }
    expect(texts.filter((t) => t.includes('\\'))).toHaveLength(1);
  });

  it('never accepts what zod rejects, and packs exactly what zod accepts (property)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(mutatedText, respelled), (text) => {
        const scanned = scanGpuSampleBatch(bytes(text));
        const zod = viaZod(text);
        if (zod === null) refused += 1;
        if (scanned === null) return;
        accepted += 1;
        expect(zod).not.toBeNull();
        expect(stored(scanned)).toEqual(stored(zod!));
      }),
      { numRuns: 8000 },
    );
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });

  it('reads numbers as JSON.parse does, to the last bit', () => {
    const SPELLINGS = [
      '0.1',
      '1e-7',
      '123.456e-5',
      '5e-324',
      '1.7976931348623157e308',
      '2.2250738585072011e-308',
      '9007199254740993',
      '1E+2',
      '-0',
      '-0.0',
      '0.30000000000000004',
      '1e22',
      '1e23',
      '123456789012345678',
    ];
    const literal = fc.oneof(
      fc.constantFrom(...SPELLINGS),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc
        .tuple(fc.integer(), fc.nat(30), fc.integer({ min: -30, max: 30 }))
        .map(([m, f, e]) => `${m}.${String(f).padStart(2, '0')}e${e}`),
    );
    fc.assert(
      fc.property(literal, (text) => {
        const json = JSON.stringify({
          ...BATCHES[3],
          samples: BATCHES[3]!.samples.map((s) => ({ ...s, temperatureC: 0 })),
        }).replace('"temperatureC":0', `"temperatureC":${text}`);
        const scanned = scanGpuSampleBatch(bytes(json));
        expect(scanned).not.toBeNull();
        expect(Object.is(scanned!.sampleNumber(0, 8), JSON.parse(text) as number)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves escapes, non-ASCII, unknown and duplicate keys to the general decoder, which decodes them the same', () => {
    const text = JSON.stringify({ ...BATCHES[3], node: 'nœud "7"' });
    expect(scanGpuSampleBatch(bytes(text))).toBeNull();
    const r = decodePackedGpuSampleBatch(text);
    expect(r.ok && r.value.node).toBe('nœud "7"');
    expect(scanGpuSampleBatch(bytes(JSON.stringify({ ...BATCHES[3], extra: 1 })))).toBeNull();
    expect(decodePackedGpuSampleBatch(JSON.stringify({ ...BATCHES[3], extra: 1 })).ok).toBe(true);
    expect(decodePackedGpuSampleBatch('{"schemaVersion":1')).toEqual({
      ok: false,
      error: expect.stringMatching(/^invalid JSON/) as unknown,
    });
  });

  it('the accepted value is the schema-valid one', () => {
    const scanned = scanGpuSampleBatch(bytes(JSON.stringify(BATCHES[0])))!;
    expect(GpuSampleBatchSchema.safeParse(JSON.parse(JSON.stringify(BATCHES[0]))).success).toBe(true);
    expect(scanned.sampleCount).toBe(BATCHES[0]!.samples.length);
    expect(scanned.processCount).toBe(BATCHES[0]!.processes.length);
  });
});
