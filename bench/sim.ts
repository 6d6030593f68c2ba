/**
 * Figure: how fast the FGD-protocol simulator runs one seed of the default openb trace per policy
 * (1,213 GPU nodes, the pods inflated to 130% of the GPU capacity). Run: `npm run bench:sim`
 * (`-- --seeds 42-44` for more seeds, `-- --policy fgd` for one policy). Prints per policy
 * `sim: <s> s per seed, <n> decisions/s (<policy>, U(100) <u>%)`; FGD's line comes last.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseOpenbNodes, parseOpenbPods } from '../scheduler/openb-trace.ts';
import { POLICIES } from '../scheduler/policies/index.ts';
import { parseSeeds } from '../scheduler/simulation-summary.ts';
import { simulate } from '../scheduler/simulator.ts';
import { workloadShapesFor } from '../scheduler/workload-shapes.ts';

const OPENB = resolve(import.meta.dirname, '../../shared/traces/openb');
const { values } = parseArgs({ options: { seeds: { type: 'string', default: '42' }, policy: { type: 'string' } } });
const seeds = parseSeeds(values.seeds);
const nodes = parseOpenbNodes(readFileSync(resolve(OPENB, 'openb_node_list_gpu_node.csv'), 'utf8'));
const pods = parseOpenbPods(readFileSync(resolve(OPENB, 'openb_pod_list_default.csv'), 'utf8'));
const ids = values.policy
  ? [values.policy]
  : Object.keys(POLICIES)
      .filter((id) => id !== 'fgd')
      .concat('fgd');

for (const id of ids) {
  const policy = POLICIES[id];
  if (!policy) throw new Error(`unknown policy ${id}`);
  const workload = workloadShapesFor(pods, policy.shapeSet ?? 'all');
  let decisions = 0;
  const at100: number[] = [];
  const started = performance.now();
  for (const seed of seeds) {
    const result = simulate({ nodes, pods, policy, workload, seed });
    decisions += result.arrivedPods;
    at100.push(result.curve[99]?.unallocatedPct ?? NaN);
  }
  const seconds = (performance.now() - started) / 1000;
  const u = at100.reduce((a, b) => a + b, 0) / at100.length;
  console.log(
    `sim: ${(seconds / seeds.length).toFixed(2)} s per seed, ${Math.round(decisions / seconds)} decisions/s ` +
      `(${id}, U(100) ${u.toFixed(2)}%)`,
  );
}
