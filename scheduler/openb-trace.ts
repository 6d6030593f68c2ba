import type { NodeSpec, PodRequest } from './cluster.ts';

/**
 * Parsers for the openb CSV files (Alibaba cluster-trace-gpu-v2023, the FGD paper's trace; columns in
 * ../shared/traces/openb/README.md). Pure: they take the file's text; reading it is the caller's job.
 * The files are plain comma-separated values with a header, no quoting: a quote or a row with the
 * wrong number of fields is an error naming the line, never a silently shifted column.
 */
function parseRows(text: string, file: string, required: readonly string[]): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  const header = (lines[0] ?? '').split(',');
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`${file}: missing column(s) ${missing.join(', ')}`);
  return lines.slice(1).map((line, i) => {
    const fields = line.split(',');
    if (line.includes('"') || fields.length !== header.length) {
      throw new Error(`${file} line ${i + 2}: expected ${header.length} plain fields`);
    }
    return Object.fromEntries(header.map((c, k) => [c, fields[k] ?? '']));
  });
}

function count(row: Record<string, string>, column: string, file: string): number {
  const value = Number(row[column]);
  if (row[column] === '' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${file}: ${row['name'] ?? row['sn']}: ${column} '${row[column]}' is not a count`);
  }
  return value;
}

/** The GPU nodes of a node list (`gpu > 0`; the FGD runs use GPU nodes only). */
export function parseOpenbNodes(text: string, file = 'node list'): NodeSpec[] {
  return parseRows(text, file, ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model'])
    .map((r) => ({
      name: r['sn'] ?? '',
      cpuMilli: count(r, 'cpu_milli', file),
      memoryMib: count(r, 'memory_mib', file),
      gpuCount: count(r, 'gpu', file),
      gpuModel: r['model'] ?? '',
    }))
    .filter((n) => n.gpuCount > 0);
}

/** Every pod of a pod list (CPU-only ones too: they take CPU and memory of GPU nodes). */
export function parseOpenbPods(text: string, file = 'pod list'): PodRequest[] {
  return parseRows(text, file, ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli', 'gpu_spec']).map((r) => {
    const pod = {
      name: r['name'] ?? '',
      cpuMilli: count(r, 'cpu_milli', file),
      memoryMib: count(r, 'memory_mib', file),
      gpuCount: count(r, 'num_gpu', file),
      gpuMilli: count(r, 'gpu_milli', file),
      gpuSpec: (r['gpu_spec'] ?? '') === '' ? [] : (r['gpu_spec'] ?? '').split('|'),
    };
    if (pod.gpuCount === 0) return { ...pod, gpuMilli: 0 };
    if (pod.gpuMilli === 0 || pod.gpuMilli > 1000 || (pod.gpuCount > 1 && pod.gpuMilli !== 1000)) {
      throw new Error(`${file}: ${pod.name}: gpu_milli ${pod.gpuMilli} with num_gpu ${pod.gpuCount}`);
    }
    return pod;
  });
}
