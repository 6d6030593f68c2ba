import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture } from '../../test/helpers/fixtures.ts';
import { gpuIslands, parseTopoMatrix } from './parse-topo.ts';

/** Real captures (../shared/fixtures/telemetry/topo/PROVENANCE.md) and what each matrix says, read by hand. */
const expected = JSON.parse(readFixture('topo', 'expected.json')) as {
  files: Record<string, { gpus: number; nvlink: Record<string, string>; numa: Record<string, string> | null }>;
};
const captures = readdirSync(fixturePath('topo')).filter((f) => f.endsWith('.txt'));

describe('nvidia-smi topo -m on real captures', () => {
  it('covers every capture', () => {
    expect(captures.sort()).toEqual(Object.keys(expected.files).sort());
  });

  it.each(captures)('%s: GPU count, NVLink pairs and NUMA nodes as expected.json says', (file) => {
    const want = expected.files[file]!;
    const m = parseTopoMatrix(readFixture('topo', file));
    expect(m.links).toHaveLength(want.gpus);
    const nvlink: Record<string, string> = {};
    m.links.forEach((row, i) =>
      row.forEach((link, j) => {
        if (j > i && link.startsWith('NV')) nvlink[`${i}-${j}`] = link;
      }),
    );
    expect(nvlink).toEqual(want.nvlink);
    expect(m.links.every((row, i) => row.every((link, j) => link === m.links[j]![i]))).toBe(true);
    expect(want.numa === null ? m.numa.every((n) => n === null) : m.numa.map(String)).toEqual(
      want.numa === null ? true : Object.values(want.numa),
    );
  });

  it('DGX A100: every GPU NVLinked, islands are its four NUMA pairs, then the whole switch', () => {
    expect(gpuIslands(parseTopoMatrix(readFixture('topo', '03-gengwg-cheatsheets-dgx-a100.txt')))).toEqual([
      [
        [0, 1],
        [2, 3],
        [4, 5],
        [6, 7],
      ],
      [[0, 1, 2, 3, 4, 5, 6, 7]],
    ]);
  });

  it('H100 HGX with ANSI escapes: two NUMA halves of one NVLink domain', () => {
    expect(gpuIslands(parseTopoMatrix(readFixture('topo', '05-mystous-vllm-hybrid-h100-ansi.txt')))[0]).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('DGX-1 without a NUMA column: CPU affinity splits the cube mesh in halves', () => {
    expect(gpuIslands(parseTopoMatrix(readFixture('topo', '02-ucx-py-dgx1-v100.txt')))[0]).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('one NUMA node, all NVLink: a single island (any GPUs are as good)', () => {
    expect(gpuIslands(parseTopoMatrix(readFixture('topo', '06-devopsrustem-slurmv4-hopper-nv18.txt')))).toEqual([
      [[0, 1, 2, 3, 4, 5, 6, 7]],
    ]);
  });

  it('throws on text that is no topology matrix, or a row with missing cells', () => {
    expect(() => parseTopoMatrix('No devices were found')).toThrow(/no header/);
    expect(() => parseTopoMatrix('\tGPU0\tGPU1\tCPU Affinity\nGPU0\t X \tNV1\t0-7\n')).toThrow(/GPU1/);
    expect(() => parseTopoMatrix('\tGPU0\tGPU1\tCPU Affinity\nGPU0\t X \t0-7\nGPU1\tNV1\t X \t0-7\n')).toThrow(
      /GPU0 row/,
    );
  });
});
