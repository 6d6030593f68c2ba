import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { createCsvBlockReader } from './csv-block-reader.ts';
import { parseNvidiaSmiAppsCsv, parseNvidiaSmiGpuCsv } from './parse-csv.ts';

const H100 = readFixture(
  'nvidia-smi-csv',
  'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-gpu.csv',
);
const [HEADER = '', ROW = ''] = H100.trim().split('\n');
const FIELDS = HEADER.split(', ').map((h) => h.replace(/ \[[^\]]*\]$/, ''));
const gpuReader = () => createCsvBlockReader(FIELDS, ['uuid']);
const ROW_2 = ROW.replace('GPU-00000000-0000-0000-0000-000000000000', 'GPU-00000000-0000-0000-0000-000000000011');

describe('createCsvBlockReader (nvidia-smi -lms output)', () => {
  it('keeps the header printed once and puts it before the rows of every block', () => {
    const reader = gpuReader();
    expect(reader.push(`${HEADER}\n${ROW}\n`, 1000)).toEqual({ completed: [], reading: true });
    const first = reader.take();
    expect(reader.push(`${ROW}\n`, 2000).reading).toBe(true);
    const second = reader.take();
    expect([first?.rows, first?.observedAtMs, second?.rows, second?.observedAtMs]).toEqual([1, 1000, 1, 2000]);
    expect(second?.csv).toBe(`${HEADER}\n${ROW}\n`);
    // the same text the one-shot query prints, so the same parser reads it
    expect(
      parseNvidiaSmiGpuCsv(second?.csv ?? '', 2000).samples.map((s) => [s.gpuUuid, s.utilizationPct, s.powerWatts]),
    ).toEqual([['GPU-00000000-0000-0000-0000-000000000000', 100, 631.95]]);
  });

  it('joins a row split across chunks; the block starts when its first line arrived', () => {
    const reader = gpuReader();
    reader.push(`${HEADER}\n`, 10);
    reader.take();
    expect(reader.push(ROW.slice(0, 100), 500).reading).toBe(false); // a partial line alone is not a row yet
    expect(reader.pendingBytes).toBe(100);
    expect(reader.push(`${ROW.slice(100)}\n${ROW_2}\n`, 520).reading).toBe(true);
    const block = reader.take();
    expect([block?.rows, block?.observedAtMs]).toEqual([2, 520]);
    expect(reader.take()).toBeNull();
    expect(reader.pendingBytes).toBe(0);
  });

  it('two intervals read at once are two blocks: a GPU seen again starts the next one', () => {
    const reader = gpuReader();
    const { completed } = reader.push(`${HEADER}\n${ROW}\n${ROW_2}\n${ROW}\n${ROW_2}\n`, 3000);
    expect(completed.map((b) => [b.rows, b.observedAtMs])).toEqual([[2, 3000]]);
    const next = reader.take();
    expect(parseNvidiaSmiGpuCsv(next?.csv ?? '', 3000).samples.map((s) => s.gpuUuid.slice(-2))).toEqual(['00', '11']);
  });

  it('compute-apps: a process on two GPUs is one interval; the same pid and GPU again is the next', () => {
    const reader = createCsvBlockReader(['pid', 'used_gpu_memory', 'gpu_uuid', 'process_name'], ['pid', 'gpu_uuid']);
    const header = 'pid, used_gpu_memory [MiB], gpu_uuid, process_name';
    const { completed } = reader.push(
      `${header}\n11345, 15690 MiB, GPU-a, ./gpu_burn\n11345, 15690 MiB, GPU-b, ./gpu_burn\n11345, 15702 MiB, GPU-a, ./gpu_burn\n`,
      5,
    );
    expect(parseNvidiaSmiAppsCsv(completed[0]?.csv ?? '').processes.map((p) => [p.pid, p.gpuUuid])).toEqual([
      [11345, 'GPU-a'],
      [11345, 'GPU-b'],
    ]);
    expect(reader.take()?.rows).toBe(1);
  });

  it('a repeated header is read as the header, not as a row', () => {
    const reader = createCsvBlockReader(['pid', 'gpu_uuid'], ['pid', 'gpu_uuid']);
    reader.push('pid, gpu_uuid\n11327, GPU-a\n', 1);
    reader.take();
    reader.push('pid, gpu_uuid\n11345, GPU-b\n', 2);
    expect(reader.take()).toMatchObject({ csv: 'pid, gpu_uuid\n11345, GPU-b\n', rows: 1 });
  });

  it('a header-only interval is an empty block (compute-apps with no GPU process)', () => {
    const reader = createCsvBlockReader(['pid', 'used_gpu_memory'], ['pid']);
    expect(reader.take()).toBeNull();
    reader.push('pid, used_gpu_memory [MiB]\n', 7);
    expect(reader.take()).toEqual({ csv: 'pid, used_gpu_memory [MiB]\n', rows: 0, observedAtMs: 7 });
  });

  it('a foreign line (event text during the sleep) starts no block; the next block carries it, so the parser reports it', () => {
    const reader = gpuReader();
    reader.push(`${HEADER}\n${ROW}\n`, 1);
    reader.take();
    expect(reader.push('Xid (PCI:0000:09:00): 79, GPU has fallen off the bus.\n', 50).reading).toBe(false);
    expect(reader.take()).toBeNull();
    reader.push(`${ROW}\n`, 1000);
    const parsed = parseNvidiaSmiGpuCsv(reader.take()?.csv ?? '', 1000);
    expect(parsed.samples).toHaveLength(1);
    expect(parsed.errors).toEqual([`line 2: 2 values for ${FIELDS.length} columns`]);
  });

  it('rows before any header give a block the parser rejects with its own message', () => {
    const reader = gpuReader();
    reader.push(`${ROW}\n`, 1);
    expect(() => parseNvidiaSmiGpuCsv(reader.take()?.csv ?? '', 1)).toThrow(/not nvidia-smi --format=csv output/);
  });
});
