/**
 * A simulated GPU fleet for bench/ingest.ts: nodes of `gpusPerNode` GPUs whose samples and
 * processes are shaped from real nvidia-smi captures (shared/fixtures/telemetry), one agent per node.
 * Batches are rendered from a per-node JSON template (numbers spliced in), so producing a large
 * backlog costs little next to the pipeline being measured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNvidiaSmiXml } from '../collectors/nvidia-smi/parse-xml.ts';
import type { GpuSample, GpuSampleBatch } from '../contracts/index.ts';

/** Captures with whole GPUs and complete readings (power, memory, clocks), several with processes. */
const CAPTURES = [
  'telegraf__2x-rtx-a5000__590.44.01__procs.xml',
  'telegraf__tesla-t4__515.105.01__procs.xml',
  'telegraf__a10g__515.105.01__procs.xml',
  'telegraf__rtx-3090__525.147.05.xml',
  'openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml',
  'telegraf__rtx-pro-6000-blackwell-maxq__590.44.01__procs.xml',
];

export interface FleetNode {
  readonly node: string;
  readonly agentId: string;
  readonly bootId: string;
  /** The batch of tick `seq`, sampled at `atMs`, as the JSON an agent sends. */
  render(seq: number, atMs: number): string;
}

// Placeholders in the template object; in its JSON they appear quoted, and are replaced quotes and all.
const AT = '__at__';
const SEQ = '__seq__';
const util = (j: number) => `__util${j}__`;

/** Deterministic utilization of GPU j at tick seq: a sawtooth per GPU, 0..100. */
export const fleetUtilization = (seq: number, j: number): number => (seq * 7 + j * 13) % 101;

export function buildFleet(options: {
  readonly fixturesDir: string;
  readonly nodes: number;
  readonly gpusPerNode: number;
  readonly cluster: string;
  readonly runId: string;
}): FleetNode[] {
  const shapes = CAPTURES.map((c) =>
    parseNvidiaSmiXml(readFileSync(join(options.fixturesDir, 'nvidia-smi-xml', c), 'utf8'), 0),
  )
    .map((p) => ({
      sample: p.samples.find((s): s is Extract<GpuSample, { kind: 'gpu' }> => s.kind === 'gpu'),
      process: p.processes[0],
    }))
    .filter((s) => s.sample !== undefined);
  return Array.from({ length: options.nodes }, (_, n) => {
    const shape = shapes[n % shapes.length]!;
    const node = `bench-node-${String(n).padStart(5, '0')}`;
    const hex = n.toString(16).padStart(8, '0');
    const template = {
      schemaVersion: 1,
      agentId: `${options.cluster}/${node}`,
      bootId: `boot-${options.runId}`,
      seq: SEQ,
      cluster: options.cluster,
      node,
      collectedAtMs: AT,
      source: 'nvidia-smi-xml',
      samples: Array.from({ length: options.gpusPerNode }, (_, j) => ({
        ...shape.sample!,
        index: j,
        gpuUuid: `GPU-${hex}-${String(j).padStart(4, '0')}-bench-${options.runId}`,
        pciBusId: `00000000:${(16 + j).toString(16)}:00.0`,
        observedAtMs: AT,
        utilizationPct: util(j),
      })),
      processes: Array.from({ length: options.gpusPerNode }, (_, j) => ({
        gpuUuid: `GPU-${hex}-${String(j).padStart(4, '0')}-bench-${options.runId}`,
        pid: 1000 + j,
        processName: shape.process?.processName ?? 'python',
        usedMemoryBytes: shape.process?.usedMemoryBytes ?? 1 << 30,
        podUid: `pod-${hex}-${j}`,
        containerId: `ctr-${hex}-${j}`,
      })),
    };
    // Split the JSON at the markers once; each render joins the pieces with the tick's numbers.
    const markers = [SEQ, AT, ...Array.from({ length: options.gpusPerNode }, (_, j) => util(j))];
    const pattern = new RegExp(markers.map((m) => `"${m}"`).join('|'), 'g');
    const text = JSON.stringify(template);
    const pieces = text.split(pattern);
    // What each gap between pieces takes: -1 the seq, -2 the time, j >= 0 GPU j's utilization.
    const order = [...text.matchAll(pattern)].map((m) =>
      m[0] === `"${SEQ}"` ? -1 : m[0] === `"${AT}"` ? -2 : Number(/\d+/.exec(m[0])![0]),
    );
    return {
      node,
      agentId: template.agentId,
      bootId: template.bootId,
      render(seq, atMs) {
        let out = pieces[0]!;
        order.forEach((what, i) => {
          const value = what === -1 ? seq : what === -2 ? atMs : fleetUtilization(seq, what);
          out += String(value) + pieces[i + 1]!;
        });
        return out;
      },
    };
  });
}

/** Parses a rendered batch back (for checks). */
export const parseBatch = (json: string): GpuSampleBatch => JSON.parse(json) as GpuSampleBatch;
