import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../test/helpers/fixtures.ts';
import { parseOpenbNodes, parseOpenbPods } from './openb-trace.ts';
import { POLICIES } from './policies/index.ts';
import { simulate } from './simulator.ts';
import { computeWorkloadShapes, goTypicalShapes } from './workload-shapes.ts';

const OPENB = join(SHARED_DIR, 'traces/openb');
const nodes = parseOpenbNodes(readFileSync(join(OPENB, 'openb_node_list_gpu_node.csv'), 'utf8'));
const pods = parseOpenbPods(readFileSync(join(OPENB, 'openb_pod_list_default.csv'), 'utf8'));

describe('openb trace (the real CSVs, read in place)', () => {
  it('reads the GPU nodes and every pod as the README counts them', () => {
    expect(nodes).toHaveLength(1213);
    expect(nodes.reduce((s, n) => s + n.gpuCount, 0)).toBe(6212);
    expect(nodes.reduce((s, n) => s + n.cpuMilli, 0)).toBe(107_018_000);
    expect(pods).toHaveLength(8152);
    expect(pods.filter((p) => p.gpuCount === 0)).toHaveLength(1088);
    expect(pods.filter((p) => p.gpuCount === 1 && p.gpuMilli < 1000)).toHaveLength(3078);
    expect(pods.filter((p) => p.gpuCount > 1)).toHaveLength(75);
    expect(pods.reduce((s, p) => s + p.gpuCount * p.gpuMilli, 0)).toBe(6_086_800);
    // 91 shapes; the 35 most popular cover 95% of the pods (the README's figures).
    expect(computeWorkloadShapes(pods).shapes).toHaveLength(91);
    expect(computeWorkloadShapes(pods, { coveragePct: 95 }).shapes).toHaveLength(35);
    const typical = goTypicalShapes(pods).shapes; // the Go simulator's: the same 35, renormalised
    expect(typical).toHaveLength(35);
    expect(typical.reduce((sum, s) => sum + s.popularity, 0)).toBeCloseTo(1, 12);
    const all = parseOpenbNodes(readFileSync(join(OPENB, 'openb_node_list_all_node.csv'), 'utf8'));
    expect(all).toHaveLength(1213); // the CPU-only nodes are left out
  });

  it('refuses a row it cannot read, naming the line', () => {
    const header = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec';
    expect(() => parseOpenbPods(`${header}\np,1000,10,1,500\n`, 'x.csv')).toThrow(
      'x.csv line 2: expected 6 plain fields',
    );
    expect(() => parseOpenbPods(`${header}\np,1000,10,2,500,\n`, 'x.csv')).toThrow('gpu_milli 500 with num_gpu 2');
    expect(() => parseOpenbPods(`${header}\np,-1,10,1,500,\n`, 'x.csv')).toThrow("cpu_milli '-1' is not a count");
    expect(() => parseOpenbNodes('sn,cpu_milli\n', 'n.csv')).toThrow('n.csv: missing column(s) memory_mib, gpu, model');
  });

  it('replays a reduced fleet: every tenth GPU node, the real pods scaled to it, FGD against Random', () => {
    const fleet = nodes.filter((_, i) => i % 10 === 0);
    const workload = computeWorkloadShapes(pods);
    const run = (id: string) => simulate({ nodes: fleet, pods, policy: POLICIES[id]!, workload, seed: 42 });
    const [fgd, random] = [run('fgd'), run('random')];
    expect(fgd.capacityGpuMilli).toBe(626_000);
    // The thinned arrivals end just below 130% of this fleet's 626 GPUs (the Go simulator's tuneDownPods
    // removes pods until the total is at or below the target): no allocation past the capacity.
    expect(fgd.curve.length).toBe(129);
    expect(fgd.curve[99]!.unallocatedPct).toBeGreaterThanOrEqual(0);
    expect(fgd.curve[99]!.unallocatedPct).toBeLessThan(random.curve[99]!.unallocatedPct);
    expect(fgd.curve[9]!.unallocatedPct).toBeCloseTo(90, 0); // nothing fails at 10% arrived
  });
});
