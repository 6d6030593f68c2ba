import type { Command } from 'commander';
import type { GpuUtilizationRow } from '../../pipeline/store/telemetry-store.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { parseDuration } from '../parse-duration.ts';

const GiB = 1024 ** 3;
const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

/** The per-GPU utilization report printed by `gpu-ledger query utilization` and the demo. */
export function formatUtilization(rows: readonly GpuUtilizationRow[]): string {
  return formatTable(
    ['node', 'gpu', 'model', 'samples', 'avg util %', 'max util %', 'avg mem GiB'],
    rows.map((r) => [
      r.node,
      r.gpuUuid,
      r.model,
      r.samples,
      round1(r.avgUtilizationPct),
      round1(r.maxUtilizationPct),
      round1(r.avgMemoryUsedBytes === null ? null : r.avgMemoryUsedBytes / GiB),
    ]),
  );
}

export function registerQueryCommand(program: Command, ctx: CliContext): void {
  const query = program.command('query').description('query the telemetry store');
  query
    .command('utilization')
    .description('per-GPU utilization over a window')
    .option('--since <duration>', 'look-back window, e.g. 15m, 2h, 7d', '1h')
    .option('--node <name>', 'only this node')
    .option('--json', 'print JSON lines instead of a table')
    .action(async (options: { since: string; node?: string; json?: boolean }) => {
      const to = Date.now();
      const from = to - parseDuration(options.since);
      const { openStore } = await import('../wiring.ts'); // chDB / ClickHouse client load only when used
      const store = await openStore(ctx.config());
      try {
        const rows = await store.gpuUtilization({
          fromMs: from,
          toMs: to,
          ...(options.node ? { node: options.node } : {}),
        });
        console.log(options.json ? rows.map((r) => JSON.stringify(r)).join('\n') : formatUtilization(rows));
      } finally {
        await store.close();
      }
    });
}
