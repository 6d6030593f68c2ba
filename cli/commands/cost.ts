import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadCostConfig } from '../../pipeline/cost/cost-config.ts';
import { createCostLedgerJob } from '../../pipeline/cost/cost-ledger-job.ts';
import { costReport, parseCostGroupKeys, type CostReport } from '../../pipeline/cost/cost-report.ts';
import { parseCostWindow, parseInstant } from '../../pipeline/cost/cost-window.ts';
import { toCsv, type CsvValue } from '../../pipeline/cost/csv.ts';
import { toFocusCsv } from '../../pipeline/cost/focus-export.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { modelCost, type ModelCostRow } from '../../pipeline/cost/model-cost.ts';
import { createCostStore } from '../../pipeline/store/cost-store.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { withStore } from '../with-store.ts';

const WINDOW_HELP = '24h | 7d | 2026-11-01..2026-11-25 (UTC; a bare end date includes that day)';
const FORMATS = ['table', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

const iso = (ms: number) => new Date(ms).toISOString();
const usd = (x: number | null) => (x === null ? null : x.toFixed(2));
const fixed = (x: number | null, digits: number) => (x === null ? null : x.toFixed(digits));

const parseFormat = (text: string): Format => {
  if (!(FORMATS as readonly string[]).includes(text))
    throw new Error(`--format must be one of ${FORMATS.join(', ')}, got "${text}"`);
  return text as Format;
};

/** Right-aligns text cells per column (formatTable right-aligns only real numbers). */
const table = (
  headers: readonly string[],
  rows: readonly (readonly (string | null)[])[],
  numericFrom: number,
): string => {
  const widths = headers.map((_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? '-').length)));
  return formatTable(
    headers,
    rows.map((r) => r.map((c, i) => (i >= numericFrom ? (c ?? '-').padStart(widths[i] ?? 0) : c))),
  );
};

/** Prints a cost report as a table (with totals), CSV or JSON. */
export function printCostReport(report: CostReport, format: Format): void {
  if (format === 'json') return void console.log(JSON.stringify(report, null, 2));
  const headers = [
    'bucket',
    ...report.by,
    'cost_usd',
    'waste_usd',
    'allocated_gpu_hours',
    'used_gpu_hours',
    'efficiency',
  ];
  if (format === 'csv') {
    const rows: CsvValue[][] = report.rows.map((r) => [
      r.bucket,
      ...report.by.map((k) => r.keys[k] ?? ''),
      r.costUsd,
      r.wasteUsd,
      r.allocatedGpuHours,
      r.usedGpuHours,
      r.efficiency,
    ]);
    return void process.stdout.write(toCsv(headers, rows));
  }
  const t = report.totals;
  const line = (r: {
    costUsd: number;
    wasteUsd: number;
    allocatedGpuHours: number;
    usedGpuHours: number;
    efficiency: number | null;
  }) => [
    usd(r.costUsd),
    usd(r.wasteUsd),
    fixed(r.allocatedGpuHours, 3),
    fixed(r.usedGpuHours, 3),
    r.efficiency === null ? null : `${(r.efficiency * 100).toFixed(1)}%`,
  ];
  const rows = [
    ...report.rows.map((r) => [r.bucket, ...report.by.map((k) => r.keys[k] ?? ''), ...line(r)]),
    ['total', ...report.by.map(() => ''), ...line(t)],
  ];
  console.log(`cost ${iso(report.fromMs)} .. ${iso(report.toMs)}`);
  console.log(
    table(
      ['bucket', ...report.by, 'cost $', 'waste $', 'alloc GPU-h', 'used GPU-h', 'efficiency'],
      rows,
      1 + report.by.length,
    ),
  );
  console.log(
    `workload $${usd(t.workloadCostUsd)} + idle $${usd(t.idleCostUsd)} = $${usd(t.costUsd)}; fleet cost $${usd(t.fleetCostUsd)} over ${t.windows} computed window(s)`,
  );
  if (t.problems > 0)
    console.log(`${t.problems} problem(s) recorded by the ledger job in this range (table cost_ledger_windows)`);
}

function printModels(rows: readonly ModelCostRow[], format: Format): void {
  if (format === 'json') return void console.log(JSON.stringify(rows, null, 2));
  const headers = [
    'model',
    'tenant',
    'pods',
    'cost_usd',
    'requests',
    'prompt_tokens',
    'generation_tokens',
    'usd_per_1m_prompt_tokens',
    'usd_per_1m_generation_tokens',
  ];
  const values = (r: ModelCostRow): CsvValue[] => [
    r.model,
    r.tenant ?? '*',
    r.pods,
    r.costKnown ? r.costUsd : null,
    r.requests,
    r.promptTokens,
    r.generationTokens,
    r.usdPerMillionPromptTokens,
    r.usdPerMillionGenerationTokens,
  ];
  if (format === 'csv') return void process.stdout.write(toCsv(headers, rows.map(values)));
  console.log(
    table(
      ['model', 'tenant', 'pods', 'cost $', 'requests', 'prompt tok', 'gen tok', '$/1M prompt', '$/1M gen'],
      rows.map((r) => [
        r.model,
        r.tenant ?? '*',
        String(r.pods),
        r.costKnown ? usd(r.costUsd) : 'unknown',
        String(Math.round(r.requests)),
        String(Math.round(r.promptTokens)),
        String(Math.round(r.generationTokens)),
        fixed(r.usdPerMillionPromptTokens, 4),
        fixed(r.usdPerMillionGenerationTokens, 4),
      ]),
      2,
    ),
  );
}

export function registerCostCommand(program: Command, ctx: CliContext): void {
  const cost = program.command('cost').description('GPU cost ledger: compute it, report it, export it (FOCUS)');

  cost
    .command('run')
    .description('compute the ledger of every closed hour not computed yet (catches up after downtime), once')
    .option('--from <time>', 'recompute from this date or zoned time, e.g. after late data')
    .option('--until <time>', 'compute no window ending after this date or zoned time')
    .action(async (o: { from?: string; until?: string }) => {
      const config = ctx.config();
      const job = {
        catalog: loadPriceCatalog(config.priceCatalogPath ?? undefined),
        cost: loadCostConfig(config.costConfigPath),
      };
      const range = {
        ...(o.from ? { fromMs: parseInstant(o.from) } : {}),
        ...(o.until ? { untilMs: parseInstant(o.until) } : {}),
      };
      await withStore(ctx, async (store) => {
        const ledger = createCostLedgerJob(
          { executor: store.executor, database: store.database, catalog: job.catalog, options: { cost: job.cost } },
          { now: Date.now, logger: ctx.logger('cost', 'warn') },
        );
        const r = await ledger.run(range);
        console.log(
          `${r.windows} window(s) computed (${r.computations} cluster computations, ${r.rows} ledger rows, fleet cost $${usd(r.fleetCostUsd)}, ${r.problems} problem(s)); ledger complete up to ${r.closedBeforeMs > 0 ? iso(r.closedBeforeMs) : 'nothing yet'}`,
        );
      });
    });

  cost
    .command('report')
    .description('cost, waste, allocated and used GPU-hours and efficiency, grouped; idle is its own bucket')
    .requiredOption('--window <range>', WINDOW_HELP)
    .option(
      '--by <keys>',
      'comma list of namespace, tenant, team, node, gpuModel, pricingTier, cluster, pod, workload, model, label:<key>',
      'tenant',
    )
    .option('--cluster <name>', 'only this cluster')
    .option('--format <format>', 'table | csv | json', 'table')
    .action(async (o: { window: string; by: string; cluster?: string; format: string }) => {
      const format = parseFormat(o.format);
      const query = {
        ...parseCostWindow(o.window, Date.now()),
        by: parseCostGroupKeys(o.by),
        ...(o.cluster ? { cluster: o.cluster } : {}),
      };
      printCostReport(
        await withStore(ctx, (store) =>
          costReport(createCostStore(store.executor, { database: store.database }), query),
        ),
        format,
      );
    });

  cost
    .command('models')
    .description('cost of the pods serving each model, and $ per 1M prompt / generated tokens')
    .requiredOption('--window <range>', WINDOW_HELP)
    .option('--per <what>', 'tenant (model × tenant) or model (all tenants together)', 'tenant')
    .option('--format <format>', 'table | csv | json', 'table')
    .action(async (o: { window: string; per: string; format: string }) => {
      const format = parseFormat(o.format);
      if (o.per !== 'tenant' && o.per !== 'model') throw new Error(`--per must be tenant or model, got "${o.per}"`);
      const range = parseCostWindow(o.window, Date.now());
      const result = await withStore(ctx, (store) =>
        modelCost(createCostStore(store.executor, { database: store.database }), range),
      );
      printModels(o.per === 'tenant' ? result.perTenant : result.perModel, format);
    });

  cost
    .command('export')
    .description('the ledger rows of a range as a FinOps FOCUS 1.2 CSV')
    .requiredOption('--format <format>', 'focus')
    .requiredOption('--window <range>', WINDOW_HELP)
    .option('--out <file>', 'write here instead of stdout')
    .action(async (o: { format: string; window: string; out?: string }) => {
      if (o.format !== 'focus') throw new Error(`--format must be focus, got "${o.format}"`);
      const range = parseCostWindow(o.window, Date.now());
      const focus = loadCostConfig(ctx.config().costConfigPath).focus;
      const rows = await withStore(ctx, (store) =>
        createCostStore(store.executor, { database: store.database }).rows(range),
      );
      const csv = toFocusCsv(rows, focus);
      if (o.out === undefined) process.stdout.write(csv);
      else {
        writeFileSync(o.out, csv);
        console.error(`${rows.length} ledger row(s) written to ${o.out}`);
      }
    });
}
