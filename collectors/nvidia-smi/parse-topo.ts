/**
 * Pure: `nvidia-smi topo -m` text → the GPU-to-GPU link matrix, each GPU's NUMA node, and the GPU
 * islands a multi-GPU pod should stay inside.
 *
 * Real outputs vary (../../shared/fixtures/telemetry/topo): tab-separated or tab-expanded to spaces
 * (a 7-character cell then leaves ONE space before the next), indented when pasted into docs, ANSI
 * underline escapes around the header, NIC columns named `NIC#` or `mlx5_#`, with or without `NUMA
 * Affinity` and `GPU NUMA ID`. So cells are split on any whitespace; the device columns are the
 * header tokens before `CPU Affinity`; a GPU row is `GPU<i>` then one cell per device column, then
 * CPU affinity, then (when the header has it) the NUMA node. The legend and NIC rows are skipped.
 */

/** Link codes between two GPUs as nvidia-smi prints them (`NV<n>`: n bonded NVLinks). */
export type TopoLink = 'X' | 'SYS' | 'NODE' | 'PHB' | 'PXB' | 'PIX' | `NV${number}`;

export interface TopoMatrix {
  /** links[i][j]: how GPU i reaches GPU j (`X` on the diagonal). */
  readonly links: readonly (readonly TopoLink[])[];
  /** Each GPU's NUMA node, or null when the output has no `NUMA Affinity` column (or it says N/A). */
  readonly numa: readonly (number | null)[];
  /** Each GPU's `CPU Affinity` cell as printed (e.g. `0-63,128-191`). */
  readonly cpuAffinity: readonly string[];
}

// eslint-disable-next-line no-control-regex -- the escape character is what is removed
const ANSI = /\x1b\[[0-9;]*m/g;
const LINK = /^(X|SYS|NODE|PHB|PXB|PIX|NV\d+)$/;

/** Parses the matrix; throws on text with no GPU header or a malformed GPU row (naming it). */
export function parseTopoMatrix(text: string): TopoMatrix {
  const lines = text
    .replace(ANSI, '')
    .split(/\r?\n/)
    .map((l) => l.trim());
  const headerAt = lines.findIndex((l) => /^GPU0\s/.test(l));
  if (headerAt < 0) throw new Error('nvidia-smi topo -m: no header line starting with GPU0');
  const header = lines[headerAt]!.split(/\s+/);
  const cpuAt = header.indexOf('CPU');
  const devices = cpuAt < 0 ? header : header.slice(0, cpuAt);
  const gpuCount = devices.filter((d) => /^GPU\d+$/.test(d)).length;
  const hasNuma = /NUMA Affinity/.test(lines[headerAt]!);
  const links: TopoLink[][] = [];
  const numa: (number | null)[] = [];
  const cpuAffinity: string[] = [];
  for (let i = 0; i < gpuCount; i++) {
    const row = lines.slice(headerAt + 1).find((l) => l.startsWith(`GPU${i}`) && /\s/.test(l.charAt(`GPU${i}`.length)));
    if (row === undefined) throw new Error(`nvidia-smi topo -m: no row for GPU${i}`);
    const cells = row.split(/\s+/).slice(1);
    const gpuLinks = cells.slice(0, gpuCount);
    if (cells.length < devices.length || !gpuLinks.every((c) => LINK.test(c)) || gpuLinks[i] !== 'X') {
      throw new Error(`nvidia-smi topo -m: GPU${i} row is not ${devices.length} link cells: "${row}"`);
    }
    links.push(gpuLinks as TopoLink[]);
    const rest = cells.slice(devices.length);
    cpuAffinity.push(rest[0] ?? '');
    const node = hasNuma ? Number(rest[1]) : Number.NaN;
    numa.push(Number.isInteger(node) ? node : null);
  }
  return { links, numa, cpuAffinity };
}

/** GPU index groups, finest first: each level partitions the GPUs; a pod prefers the finest group that holds it. */
export type GpuIslands = readonly (readonly (readonly number[])[])[];

const isNvlink = (link: TopoLink) => link.startsWith('NV');

/**
 * The islands of a node: level 0 = GPUs that share a NUMA node AND an NVLink-connected component;
 * level 1 = the NVLink-connected components. Levels that put every GPU alone, or repeat the level
 * before, are dropped (a node without NVLink or NUMA data has no islands: any GPUs are as good).
 */
export function gpuIslands(matrix: TopoMatrix): GpuIslands {
  const n = matrix.links.length;
  const component = Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => (component[i] === i ? i : (component[i] = root(component[i]!)));
  matrix.links.forEach((row, i) =>
    row.forEach((link, j) => {
      if (isNvlink(link)) component[root(i)] = root(j);
    }),
  );
  const groupBy = (key: (i: number) => string): number[][] => {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < n; i++) groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
    return [...groups.values()];
  };
  const nvlink = groupBy((i) => String(root(i)));
  const fine = groupBy((i) => `${root(i)}/${matrix.numa[i] ?? matrix.cpuAffinity[i] ?? ''}`);
  const levels: number[][][] = [];
  for (const level of [fine, nvlink]) {
    const same = (a: number[][], b: number[][]) => JSON.stringify(a) === JSON.stringify(b);
    if (level.every((g) => g.length === 1) || levels.some((l) => same(l, level))) continue;
    levels.push(level);
  }
  return levels;
}
