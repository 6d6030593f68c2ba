import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../../test/helpers/fixtures.ts';
import { runCli } from '../../test/helpers/run-cli.ts';

const OPENB = join(SHARED_DIR, 'traces/openb');

describe('gpu-ledger simulate (the real openb CSVs)', () => {
  it('prints the curve and ends with the summary line', async () => {
    const run = await runCli([
      'simulate',
      '--trace',
      join(OPENB, 'openb_pod_list_default.csv'),
      '--nodes',
      join(OPENB, 'openb_node_list_gpu_node.csv'),
      '--policy',
      'best-fit',
      '--seeds',
      '42',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('1213 GPU nodes, 6212 GPUs; 8152 pods, 91 shapes; arrivals to 130% of the GPU capacity');
    expect(lines.at(-1)).toMatch(
      /^simulate: best-fit on openb_pod_list_default\.csv: unallocated@100 \d+\.\d\d% ± 0\.00 over 1 seeds; decision p99 \d+\.\d\d ms; \d+\.\d s per seed$/,
    );
    expect(run.stdout).toMatch(/^ {7}10 {14}89\.\d\d$/m); // nothing fails at 10% arrived
  });

  it('prints JSON with --json and refuses an unknown policy', async () => {
    const json = await runCli(['simulate', '--policy', 'random', '--seeds', '42', '--inflation', '0.3', '--json']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout.split('\n')[0]!) as { policy: string; curve: unknown[]; seeds: number[] };
    expect(summary.policy).toBe('random');
    expect(summary.seeds).toEqual([42]);
    expect(summary.curve).toHaveLength(29); // thinned to at or below 30% (the Go simulator's tuneDownPods)
    const bad = await runCli(['simulate', '--policy', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown policy "nope" (one of random, dot-product');
  });

  it('takes --tie-break random (stock kube-scheduler) and refuses another', async () => {
    const args = ['simulate', '--policy', 'gpu-packing', '--seeds', '42', '--inflation', '0.3'];
    const random = await runCli([...args, '--tie-break', 'random']);
    expect(random.code).toBe(0);
    expect(random.stdout.trim().split('\n').at(-1)).toMatch(
      /^simulate: gpu-packing on openb_pod_list_default\.csv \(random ties\): /,
    );
    const bad = await runCli([...args, '--tie-break', 'first']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--tie-break must be name or random');
  });
});
