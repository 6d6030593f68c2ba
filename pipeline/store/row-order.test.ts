import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GpuSampleBatch } from '../../contracts/index.ts';
import { toGpuProcessRows, toGpuSampleRows } from './gpu-batch-rows.ts';
import { packGpuSampleBatch } from '../ingest/packed-gpu-batch.ts';
import { recordProcessRows, recordSampleRows } from '../../test/helpers/record-rows.ts';
import { keyOrder, type RowPart } from './row-order.ts';
import type { GpuProcessRow, GpuSampleRow } from './rows.ts';

const T = Date.UTC(2024, 4, 1);

function batch(
  node: string,
  seq: number,
  gpus: readonly string[],
  pids: readonly number[],
  agent = `agent-${node}`,
): GpuSampleBatch {
  const sample = {
    kind: 'gpu',
    parentGpuUuid: null,
    mig: null,
    index: 0,
    model: 'm',
    driverVersion: null,
    utilizationPct: 1,
    memoryUsedBytes: null,
    memoryTotalBytes: null,
    powerWatts: null,
    powerLimitWatts: null,
    temperatureC: null,
    smClockMhz: null,
    memClockMhz: null,
    throttleReasons: [],
    eccCorrectedTotal: null,
    eccUncorrectedTotal: null,
  } as const;
  return {
    schemaVersion: 1,
    agentId: agent,
    bootId: 'b',
    seq,
    cluster: 'c',
    node,
    collectedAtMs: T + seq * 1000,
    source: 'dcgm',
    samples: gpus.map((gpuUuid, index) => ({ ...sample, gpuUuid, index, observedAtMs: T + seq * 1000 })),
    processes: pids.map((pid, k) => ({
      gpuUuid: gpus[k % gpus.length]!,
      pid,
      processName: 'p',
      usedMemoryBytes: null,
      podUid: null,
      containerId: null,
    })),
  };
}

/** ClickHouse's order of String: bytes, then length. */
const bytesOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const keyOf = (part: RowPart) => (r: GpuSampleRow | GpuProcessRow) =>
  [
    r.cluster,
    r.node,
    r.gpu_uuid,
    r.ts_ms,
    part === 'processes' ? (r as GpuProcessRow).pid : 0,
    r.agent_id,
    r.boot_id,
    r.seq,
  ] as const;
function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const d = typeof x === 'string' ? bytesOrder(x, y as string) : x - (y as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** The rows of the batches in keyOrder's order, and whether that is the table's key order. */
function ordered(batches: readonly GpuSampleBatch[], part: RowPart) {
  const packed = batches.map(packGpuSampleBatch);
  const order = keyOrder(packed, part);
  const rows = Array.from(
    order.batch,
    (b, k) => (part === 'samples' ? toGpuSampleRows(packed[b]!, 0) : toGpuProcessRows(packed[b]!))[order.row[k]!]!,
  );
  const keys = rows.map(keyOf(part));
  return { rows, sorted: keys.every((k, i) => i === 0 || compareKeys(keys[i - 1]!, k) <= 0) };
}

const GPUS = ['GPU-b', 'GPU-a', 'GPU-ab', 'GPU-A', 'GPU-é'];

describe('row order (the tables sorting keys)', () => {
  it('orders a flush of several nodes and ticks, arriving in partition order, by the key', () => {
    const batches = [3, 1, 2].flatMap((seq) =>
      ['n2', 'n10', 'n1'].map((node) => batch(node, seq, GPUS.slice(0, 4), [30, 10, 20])),
    );
    for (const part of ['samples', 'processes'] as const) {
      const { rows, sorted } = ordered(batches, part);
      expect(sorted).toBe(true);
      expect(rows).toHaveLength(batches.length * (part === 'samples' ? 4 : 3));
    }
    expect(
      ordered(batches, 'samples')
        .rows.slice(0, 4)
        .map((r) => [r.node, r.gpu_uuid, r.seq]),
    ).toEqual([
      ['n1', 'GPU-A', 1],
      ['n1', 'GPU-A', 2],
      ['n1', 'GPU-A', 3],
      ['n1', 'GPU-a', 1],
    ]);
  });

  it('orders the process rows of one GPU by time before pid, in batches that list the same pids (CI counterexample)', () => {
    const batches = [0, 1].map((seq) => batch('n1', seq, ['GPU-A'], [8, 4, 1]));
    const { rows, sorted } = ordered(batches, 'processes');
    expect(sorted).toBe(true);
    expect(rows.map((r) => [(r as GpuProcessRow).seq, (r as GpuProcessRow).pid])).toEqual([
      [0, 1],
      [0, 4],
      [0, 8],
      [1, 1],
      [1, 4],
      [1, 8],
    ]);
    // Two batches at one time (a replayed tick under a new seq): their pids interleave.
    const sameTime = [0, 1].map((seq) => ({
      ...batch('n1', seq, ['GPU-A'], [8, 4, 1]),
      collectedAtMs: 1_714_521_600_000,
    }));
    expect(ordered(sameTime, 'processes').sorted).toBe(true);
  });

  it('is always a permutation of the rows, and sorted whatever the batches look like (property)', () => {
    // Half the batches share one device/pid layout (the usual case, keyOrder's shortcut), half draw their own.
    const layout = fc.record({
      gpus: fc.uniqueArray(fc.constantFrom(...GPUS), { minLength: 1, maxLength: 4 }),
      pids: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 5 }),
    });
    const arbitraryBatch = fc.record({
      node: fc.constantFrom('n1', 'n2'),
      seq: fc.nat(5),
      agent: fc.constantFrom('a1', 'a2'),
      own: fc.boolean(),
      layout,
    });
    fc.assert(
      fc.property(layout, fc.array(arbitraryBatch, { minLength: 1, maxLength: 12 }), (shared, drawn) => {
        const batches = drawn.map(({ node, seq, agent, own, layout: l }) => {
          const { gpus, pids } = own ? l : shared;
          return batch(node, seq, gpus, pids, agent);
        });
        for (const part of ['samples', 'processes'] as const) {
          const { rows, sorted } = ordered(batches, part);
          const all = batches.flatMap<GpuSampleRow | GpuProcessRow>((b) =>
            part === 'samples' ? recordSampleRows(b, 0) : recordProcessRows(b),
          );
          expect(rows.map((r) => JSON.stringify(r)).sort()).toEqual(all.map((r) => JSON.stringify(r)).sort());
          expect(sorted).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
