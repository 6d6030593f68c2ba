import {
  PROCESS_NUMBERS,
  PROCESS_SPAN_INTS,
  ProcessNumber,
  ProcessSpan,
  SAMPLE_NUMBERS,
  SAMPLE_SPAN_INTS,
  SampleNumber,
  SampleSpan,
  type PackedGpuBatch,
} from '../ingest/packed-gpu-batch.ts';

/**
 * The order of a flush's rows in their table's sorting key (migrations 001, 002):
 *   gpu_samples    (cluster, node, gpu_uuid, ts_ms, agent_id, boot_id, seq)
 *   gpu_processes  (cluster, node, gpu_uuid, ts_ms, pid, agent_id, boot_id, seq)
 * ClickHouse sorts every inserted block by that key unless it already is sorted, at about a
 * microsecond per row (18.16, measured); ordering the rows here costs a fraction of that. Only a
 * speed-up: rows in any order store the same table, so shortcuts that may cost order but never rows
 * are fine (a gpu_uuid hash collision, or JS string order for non-ASCII names).
 *
 * Batches are grouped by (cluster, node) and ordered by (agent_id, boot_id, seq) within; each
 * group's rows are then sorted by (gpu_uuid, ts_ms, pid), stably, so ties keep the batch order.
 * Usually every batch of a node lists the same devices in the same positions, and the first
 * batch's sorted positions order them all: a few comparisons per node, not per row.
 */
export interface RowOrder {
  /** The row's batch (index in the flush) and its row in that batch, in key order. */
  readonly batch: Int32Array;
  readonly row: Int32Array;
}

export type RowPart = 'samples' | 'processes';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byBatchKey = (a: PackedGpuBatch, b: PackedGpuBatch): number =>
  byString(a.agentId, b.agentId) || byString(a.bootId, b.bootId) || a.seq - b.seq;

/** Bytes a[a0, a1) against b[b0, b1), as memcmp then length: ClickHouse's String order. */
function compareBytes(a: Uint8Array, a0: number, a1: number, b: Uint8Array, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let k = 0; k < n; k++) {
    const d = a[a0 + k]! - b[b0 + k]!;
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

/** The flush's batches as (cluster, node) groups in key order, each group's batches in (agent_id, boot_id, seq) order. */
function nodeGroups(batches: readonly PackedGpuBatch[]): PackedGpuBatch[][] {
  const clusters = new Map<string, Map<string, PackedGpuBatch[]>>();
  const unsorted = new Set<PackedGpuBatch[]>();
  for (const b of batches) {
    let nodes = clusters.get(b.cluster);
    if (nodes === undefined) clusters.set(b.cluster, (nodes = new Map<string, PackedGpuBatch[]>()));
    const group = nodes.get(b.node);
    if (group === undefined) nodes.set(b.node, [b]);
    else {
      if (byBatchKey(group[group.length - 1]!, b) > 0) unsorted.add(group);
      group.push(b);
    }
  }
  const groups: PackedGpuBatch[][] = [];
  for (const cluster of [...clusters.keys()].sort(byString)) {
    const nodes = clusters.get(cluster)!;
    for (const node of [...nodes.keys()].sort(byString)) {
      const group = nodes.get(node)!;
      groups.push(unsorted.has(group) ? group.sort(byBatchKey) : group);
    }
  }
  return groups;
}

/** Where a row's sorting-key fields are in its packed batch. */
class RowKeys {
  constructor(readonly samples: boolean) {}
  count(b: PackedGpuBatch): number {
    return this.samples ? b.sampleCount : b.processCount;
  }
  hash(b: PackedGpuBatch, row: number): number {
    return b.numbers[
      this.samples
        ? row * SAMPLE_NUMBERS + SampleNumber.gpuUuidHash
        : b.sampleCount * SAMPLE_NUMBERS + row * PROCESS_NUMBERS + ProcessNumber.gpuUuidHash
    ]!;
  }
  ts(b: PackedGpuBatch, row: number): number {
    return this.samples ? b.numbers[row * SAMPLE_NUMBERS + SampleNumber.observedAtMs]! : b.collectedAtMs;
  }
  pid(b: PackedGpuBatch, row: number): number {
    return this.samples ? 0 : b.numbers[b.sampleCount * SAMPLE_NUMBERS + row * PROCESS_NUMBERS + ProcessNumber.pid]!;
  }
  /** gpu_uuid of two rows, in ClickHouse's String order. */
  compareGpu(a: PackedGpuBatch, ra: number, b: PackedGpuBatch, rb: number): number {
    const ka = this.samples
      ? ra * SAMPLE_SPAN_INTS + SampleSpan.gpuUuid
      : a.sampleCount * SAMPLE_SPAN_INTS + ra * PROCESS_SPAN_INTS + ProcessSpan.gpuUuid;
    const kb = this.samples
      ? rb * SAMPLE_SPAN_INTS + SampleSpan.gpuUuid
      : b.sampleCount * SAMPLE_SPAN_INTS + rb * PROCESS_SPAN_INTS + ProcessSpan.gpuUuid;
    return compareBytes(a.bytes, a.spans[ka]!, a.spans[ka + 1]!, b.bytes, b.spans[kb]!, b.spans[kb + 1]!);
  }
  /** (gpu_uuid, ts_ms, pid) of two rows. */
  compare(a: PackedGpuBatch, ra: number, b: PackedGpuBatch, rb: number): number {
    return this.compareGpu(a, ra, b, rb) || this.ts(a, ra) - this.ts(b, rb) || this.pid(a, ra) - this.pid(b, rb);
  }
}

/**
 * Whether every batch of a node's group lists the same devices (and, for processes, pids) in the
 * same row positions as the first, at times that do not go back (for processes, that move on: one
 * GPU has several process rows, and two batches at one time would interleave their pids): the usual
 * case, in which the first batch's sorted rows give the order of everyone's.
 */
function uniform(group: readonly PackedGpuBatch[], keys: RowKeys): boolean {
  const first = group[0]!;
  const n = keys.count(first);
  for (let g = 1; g < group.length; g++) {
    const [b, previous] = [group[g]!, group[g - 1]!];
    if (keys.count(b) !== n) return false;
    for (let row = 0; row < n; row++) {
      if (
        keys.hash(b, row) !== keys.hash(first, row) ||
        keys.pid(b, row) !== keys.pid(first, row) ||
        keys.ts(b, row) < keys.ts(previous, row) ||
        (!keys.samples && keys.ts(b, row) === keys.ts(previous, row))
      )
        return false;
    }
  }
  return true;
}

export function keyOrder(batches: readonly PackedGpuBatch[], part: RowPart): RowOrder {
  const keys = new RowKeys(part === 'samples');
  const index = new Map(batches.map((b, i) => [b, i]));
  const total = batches.reduce((n, b) => n + keys.count(b), 0);
  const order: RowOrder = { batch: new Int32Array(total), row: new Int32Array(total) };
  let out = 0;
  for (const group of nodeGroups(batches)) {
    if (uniform(group, keys)) {
      // Row positions of the first batch in key order, in runs of one GPU (a GPU has one sample row,
      // and one process row per pid); per run, every batch's rows at those positions, in batch order.
      const first = group[0]!;
      const positions = Array.from({ length: keys.count(first) }, (_, row) => row).sort((x, y) =>
        keys.compare(first, x, first, y),
      );
      for (let start = 0, end = 1; start < positions.length; start = end, end = start + 1) {
        while (end < positions.length && keys.compareGpu(first, positions[start]!, first, positions[end]!) === 0) end++;
        for (const b of group) {
          for (let p = start; p < end; p++) {
            order.batch[out] = index.get(b)!;
            order.row[out++] = positions[p]!;
          }
        }
      }
      continue;
    }
    // Stable: rows equal in (gpu_uuid, ts_ms, pid) keep the batches' (agent_id, boot_id, seq) order.
    const rows = group.flatMap((b) => Array.from({ length: keys.count(b) }, (_, row) => [b, row] as const));
    rows.sort(([a, ra], [b, rb]) => keys.compare(a, ra, b, rb));
    for (const [b, row] of rows) {
      order.batch[out] = index.get(b)!;
      order.row[out++] = row;
    }
  }
  return order;
}
