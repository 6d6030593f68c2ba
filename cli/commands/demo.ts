import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { startDemoApi } from '../demo/demo-api.ts';
import { parseDuration } from '../parse-duration.ts';
import { printCostReport } from './cost.ts';
import { printDemoAlerts } from './alerts.ts';
import { formatUtilization } from './query.ts';
import { formatAccuracyLine, formatComparisonTable } from '../../sim/truth/ledger-vs-truth.ts';

/** `gpu-ledger demo`: the end-to-end demo; embedded by default, `--mode distributed` for Kafka + ClickHouse. */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run a simulated fleet replaying real nvidia-smi captures through the pipeline and print what flowed')
    .option(
      '--mode <mode>',
      'embedded (in-process bus + chDB) or distributed (Kafka + ClickHouse server from `gpu-ledger stack up`)',
    )
    .option('--rounds <n>', 'sampling rounds per agent', '5')
    .option('--interval-ms <ms>', 'pause between rounds', '200')
    .option('--no-trace', "keep the captures' own utilization instead of driving it from the gentd26 trace")
    .option('--cost-nodes <n>', 'openb trace nodes replaying two closed hours for the cost report (0: skip it)', '40')
    .option(
      '--api-for <duration>',
      'then serve the API and web console this long (e.g. 10m; 0: start, check, stop; default: until Ctrl-C in a terminal, else 0)',
    )
    .option('--no-serve', 'start the API, check it answers, and stop (for scripts)')
    .action(
      async (options: {
        mode?: string;
        rounds: string;
        intervalMs: string;
        trace: boolean;
        costNodes: string;
        apiFor?: string;
        serve: boolean;
      }) => {
        const config = ctx.config();
        const mode = options.mode ?? config.mode;
        if (mode !== 'embedded' && mode !== 'distributed')
          throw new Error(`--mode must be embedded or distributed, got "${mode}"`);
        const logger = ctx.logger('demo', 'error');
        const childEnv = Object.fromEntries(
          Object.entries(ctx.env).filter((e): e is [string, string] => e[1] !== undefined),
        );
        const where =
          mode === 'embedded'
            ? `in-process bus + chDB at ${config.chdbDir}`
            : `Kafka ${config.kafkaBrokers.join(',')} + ClickHouse ${config.clickhouseUrl}`;
        console.log(`GPU Ledger demo — ${mode} mode (${where})`);
        const { runDemo } = await import('../demo/run-demo.ts');
        const r = await runDemo({ ...config, mode }, logger, {
          rounds: Number(options.rounds),
          intervalMs: Number(options.intervalMs),
          childEnv,
          trace: options.trace,
          costNodes: Number(options.costNodes),
          onProgress: (line) => console.log(line),
        });
        const reasons = Object.entries(r.deadLettersByReason)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ');
        console.log(`fleet: ${r.nodes} nodes replaying real nvidia-smi captures from ${config.fixturesDir}`);
        if (options.trace)
          console.log(
            `utilization and memory: real per-pod series from ${config.tracesDir}/gentd26 (Alibaba GenAI serving, 2026)`,
          );
        console.log(
          `flowed: ${r.batchesSent} batches (${r.samplesSent} GPU/MIG samples) -> bus -> ingest -> store; ${r.accepted} accepted`,
        );
        console.log(`dead letters: ${r.deadLetters} (${reasons || 'none'}), rest of the batch still landed`);
        console.log('');
        console.log(formatUtilization(r.utilization));
        console.log('');
        if (r.cost) {
          const { report, comparison, faults } = r.cost;
          console.log(
            `cost: ${r.cost.nodes} nodes (${r.cost.gpus} GPUs) of the openb trace, ${r.cost.pods} of its pods with their real durations, ${r.cost.batches} batches -> ledger, by tenant (prices: config/prices/default.yaml)`,
          );
          printCostReport(report, 'table');
          console.log('');
          console.log(`the ledger against the simulator's own truth (its catalog reading, the replayed series):`);
          for (const line of formatComparisonTable(comparison)) console.log(line);
          console.log(formatAccuracyLine(comparison, faults));
          console.log(
            `again: gpu-ledger cost report --window ${new Date(report.fromMs).toISOString()}..${new Date(report.toMs).toISOString()} --by tenant,namespace`,
          );
          console.log('');
          printDemoAlerts(r.cost.alerts);
          console.log('');
        }
        console.log(`demo finished in ${(r.elapsedMs / 1000).toFixed(1)} s`);
        const api = await startDemoApi({ ...config, mode }, logger);
        console.log(api.lines.join('\n'));
        await api.serve(serveMs(options, process.stdout.isTTY), (l) => console.log(l));
      },
    );
}

/** How long the demo serves the API: `--no-serve` 0, `--api-for` as given, else until Ctrl-C in a terminal and 0 in a script. */
export const serveMs = (options: { readonly apiFor?: string; readonly serve: boolean }, tty: boolean): number => {
  if (!options.serve) return 0;
  if (options.apiFor === undefined) return tty ? Infinity : 0;
  return options.apiFor === 'forever' ? Infinity : options.apiFor === '0' ? 0 : parseDuration(options.apiFor);
};
