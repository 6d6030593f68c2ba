import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { parseOpenbNodes, parseOpenbPods } from '../../scheduler/openb-trace.ts';
import { POLICIES } from '../../scheduler/policies/index.ts';
import { TIE_BREAKS, type TieBreak } from '../../scheduler/policy.ts';
import { formatSummaryLine, parseSeeds, summarizeSimulations } from '../../scheduler/simulation-summary.ts';
import { SEED_ORDERS, simulate, type SeedOrder, type SimulationResult } from '../../scheduler/simulator.ts';
import { buildTraceVariant, TRACE_VARIANTS, type TraceVariant } from '../../scheduler/trace-variants.ts';
import { SHAPE_SETS, workloadShapesFor, type ShapeSet } from '../../scheduler/workload-shapes.ts';
import { formatTable } from '../format-table.ts';
import type { CliContext } from '../context.ts';

interface SimulateOptions {
  trace?: string;
  nodes?: string;
  policy: string;
  seeds: string;
  inflation: string;
  variant?: string;
  tieBreak: string;
  order: string;
  shapes?: string;
  json?: boolean;
}

const REPORTED_PCT = [10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 100, 105, 110, 120, 130];

/**
 * `gpu-ledger simulate`: the FGD protocol (scheduler/simulator.ts) over openb CSVs, one run per seed.
 * Reads the files here; everything after is the pure scheduler code.
 */
export function registerSimulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('replay an openb pod list onto its GPU nodes under a placement policy (FGD protocol)')
    .option('--trace <pod-csv>', 'openb pod list (default: <traces dir>/openb/openb_pod_list_default.csv)')
    .option('--nodes <node-csv>', 'openb node list (default: <traces dir>/openb/openb_node_list_gpu_node.csv)')
    .option('--policy <name>', `one of ${Object.keys(POLICIES).join(', ')}`, 'fgd')
    .option('--seeds <list>', 'seeds, e.g. 42-51 or 42,43', '42-51')
    .option('--inflation <ratio>', "arrivals' GPU request over the capacity", '1.3')
    .option('--variant <name>', `a variant built from the trace: ${TRACE_VARIANTS.join(', ')}`)
    .option(
      '--tie-break <how>',
      `among equal best scores: ${TIE_BREAKS.join(' or ')} (the authors' simulator: name)`,
      'name',
    )
    .option(
      '--order <how>',
      `what a seed decides: ${SEED_ORDERS.join(' or ')} (go: the pod order and node names of the authors' simulator)`,
      'go',
    )
    .option(
      '--shapes <set>',
      `the shapes FGD / gpu-ledger measure against: ${SHAPE_SETS.join(' or ')} (default: the policy's own; ` +
        `fgd: typical, the Go simulator's most popular shapes covering 95% of the pods; gpu-ledger: all)`,
    )
    .option('--json', 'print the summary (per-seed figures, mean curve) as one JSON line before the last line')
    .action((options: SimulateOptions) => {
      const policy = POLICIES[options.policy];
      if (!policy) throw new Error(`unknown policy "${options.policy}" (one of ${Object.keys(POLICIES).join(', ')})`);
      const seeds = parseSeeds(options.seeds);
      const tieBreak = options.tieBreak as TieBreak;
      if (!TIE_BREAKS.includes(tieBreak)) throw new Error(`--tie-break must be ${TIE_BREAKS.join(' or ')}`);
      const shapeSet = (options.shapes ?? policy.shapeSet ?? 'all') as ShapeSet;
      if (!SHAPE_SETS.includes(shapeSet)) throw new Error(`--shapes must be ${SHAPE_SETS.join(' or ')}`);
      const order = options.order as SeedOrder;
      if (!SEED_ORDERS.includes(order)) throw new Error(`--order must be ${SEED_ORDERS.join(' or ')}`);
      const inflationRatio = Number(options.inflation);
      if (!(inflationRatio > 0)) throw new Error(`--inflation must be a positive ratio, got "${options.inflation}"`);
      const openb = join(ctx.config().tracesDir, 'openb');
      const tracePath = options.trace ?? join(openb, 'openb_pod_list_default.csv');
      const nodesPath = options.nodes ?? join(openb, 'openb_node_list_gpu_node.csv');
      const nodes = parseOpenbNodes(readFileSync(nodesPath, 'utf8'), nodesPath);
      const tracePods = parseOpenbPods(readFileSync(tracePath, 'utf8'), tracePath);
      const variant = options.variant as TraceVariant | undefined;
      if (variant !== undefined && !TRACE_VARIANTS.includes(variant)) {
        throw new Error(`unknown variant "${variant}" (one of ${TRACE_VARIANTS.join(', ')})`);
      }
      const pods = variant ? buildTraceVariant(tracePods, nodes, variant) : tracePods;
      const workload = workloadShapesFor(pods, shapeSet);
      const started = performance.now();
      const results: SimulationResult[] = seeds.map((seed) =>
        simulate({
          nodes,
          pods,
          policy,
          workload,
          seed,
          inflationRatio,
          tieBreak,
          order,
          nowMs: () => performance.now(),
        }),
      );
      const summary = summarizeSimulations(
        {
          policy: policy.id,
          traceFile:
            basename(tracePath) +
            (variant ? ` (${variant})` : '') +
            (tieBreak === 'random' ? ' (random ties)' : '') +
            (order === 'shuffle' ? ' (shuffle order)' : '') +
            (options.shapes ? ` (${shapeSet} shapes)` : ''),
          seeds,
        },
        results,
        performance.now() - started,
      );
      if (options.json) {
        console.log(JSON.stringify(summary));
      } else {
        console.log(
          `${nodes.length} GPU nodes, ${(results[0]?.capacityGpuMilli ?? 0) / 1000} GPUs; ${pods.length} pods, ` +
            `${workload.shapes.length} shapes; arrivals to ${Math.round(inflationRatio * 100)}% of the GPU capacity`,
        );
        const rows = summary.curve.filter((p) => REPORTED_PCT.includes(p.arrivedPct));
        console.log(
          formatTable(
            ['arrived %', 'unallocated GPU %'],
            rows.map((p) => [p.arrivedPct, Number(p.unallocatedPct.toFixed(2))]),
          ),
        );
        console.log(
          `per seed @100: ${summary.unallocatedAt100Pct.map((u, i) => `${seeds[i]}:${u.toFixed(2)}`).join(' ')}`,
        );
      }
      console.log(formatSummaryLine(summary));
    });
}
