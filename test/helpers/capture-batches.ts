import { parseNvidiaSmiXml } from '../../collectors/nvidia-smi/parse-xml.ts';
import type { GpuSampleBatch } from '../../contracts/index.ts';
import { readFixture } from './fixtures.ts';

/** When the capture batches were collected. */
export const CAPTURE_BATCH_MS = Date.UTC(2024, 4, 1);

/** Real nvidia-smi XML captures covering MIG, Windows processes, N/A readings and several GPUs. */
const CAPTURES = [
  'telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml',
  'netdata__rtx-2080-windows__516.59__procs.xml',
  'openpai__gt-730__384.111__util-na-partial.xml',
  'telegraf__2x-rtx-a5000__590.44.01__procs.xml',
];

/**
 * The captures as GpuSampleBatches (seq 0..3), for tests of the ingest decoders: the first sample of
 * each also carries the optional DCGM/Xid fields and a null PCI bus id; processes alternate between a
 * pod and none, and the first names a MIG instance.
 */
export function captureBatches(): GpuSampleBatch[] {
  return CAPTURES.map((capture, seq) => {
    const p = parseNvidiaSmiXml(readFixture('nvidia-smi-xml', capture), CAPTURE_BATCH_MS);
    return {
      schemaVersion: 1,
      agentId: 'a',
      bootId: 'b',
      seq,
      cluster: 'c',
      node: 'n',
      collectedAtMs: CAPTURE_BATCH_MS,
      source: 'nvidia-smi-xml',
      samples: p.samples.map((s, i) => (i === 0 ? { ...s, xidErrors: [79], smActivePct: 12.5, pciBusId: null } : s)),
      processes: p.processes.map((proc, i) => ({
        ...proc,
        podUid: i % 2 ? null : 'pod-1',
        gpuInstanceId: i === 0 ? 1 : undefined,
      })),
    };
  });
}
