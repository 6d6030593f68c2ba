import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../test/helpers/fixtures.ts';
import { isSharingPod } from './cluster.ts';
import { parseOpenbNodes, parseOpenbPods } from './openb-trace.ts';
import { buildTraceVariant } from './trace-variants.ts';

const OPENB = join(SHARED_DIR, 'traces/openb');
const nodes = parseOpenbNodes(readFileSync(join(OPENB, 'openb_node_list_gpu_node.csv'), 'utf8'));
const pods = parseOpenbPods(readFileSync(join(OPENB, 'openb_pod_list_default.csv'), 'utf8'));

describe('openb variants built from the default trace', () => {
  it('cpu-heavier doubles the CPU-only pods and keeps the rest', () => {
    const v = buildTraceVariant(pods, nodes, 'cpu-heavier');
    expect(v).toHaveLength(8152 + 1088);
    expect(v.filter((p) => p.gpuCount === 0)).toHaveLength(2 * 1088);
  });

  it('more-sharing, more-multi-gpu and gpu-spec change the share they name, the same way every time', () => {
    const sharing = buildTraceVariant(pods, nodes, 'more-sharing');
    expect(sharing).toHaveLength(8152);
    expect(sharing.filter(isSharingPod).length).toBeGreaterThan(3078 + 1500);
    const multi = buildTraceVariant(pods, nodes, 'more-multi-gpu');
    expect(multi.filter((p) => p.gpuCount > 1).length / 8152).toBeCloseTo(0.19, 1);
    const spec = buildTraceVariant(pods, nodes, 'gpu-spec');
    const gpuPods = spec.filter((p) => p.gpuCount > 0);
    expect(gpuPods.filter((p) => p.gpuSpec.length === 1).length / gpuPods.length).toBeCloseTo(1 / 3, 1);
    const models = new Set(nodes.map((n) => n.gpuModel));
    for (const p of gpuPods) for (const m of p.gpuSpec) expect(models).toContain(m);
    expect(buildTraceVariant(pods, nodes, 'gpu-spec')).toEqual(spec);
  });
});
