import type { Command } from 'commander';
import type { Recommendation } from '../../contracts/recommendation.ts';
import { loadCostConfig } from '../../pipeline/cost/cost-config.ts';
import { parseCostWindow, parseInstant } from '../../pipeline/cost/cost-window.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createRecommendationStore } from '../../pipeline/store/recommendation-store.ts';
import { adoptionReport, type AdoptionFigures } from '../../scheduler/recommender/adoption-report.ts';
import { decide } from '../../scheduler/recommender/decisions.ts';
import { createRecommenderJob, readRecommendations } from '../../scheduler/recommender/recommender-job.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { withStore } from '../with-store.ts';

const usd = (x: number | null) => (x === null ? '-' : `$${x.toFixed(2)}`);
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

const shape = (r: Recommendation['recommended']): string => {
  const q = r.gpuRequest;
  const what =
    q.kind === 'whole'
      ? `${q.count} GPU`
      : q.kind === 'fraction'
        ? `${q.milli} milli`
        : q.kind === 'mig'
          ? `${q.count}×${q.profile}`
          : 'none';
  return `${r.gpuModel} ${what}`;
};
const target = (r: Recommendation) =>
  r.kind === 'consolidate' ? `node ${r.target.node ?? ''}` : `${r.target.namespace ?? ''}/${r.target.workload ?? ''}`;

function printList(recs: readonly Recommendation[]): void {
  console.log(
    formatTable(
      ['id', 'kind', 'target', 'tenant', 'now', 'recommended', '$/month', 'confidence', 'status'],
      recs.map((r) => [
        r.id,
        r.kind,
        target(r),
        r.target.tenant ?? '-',
        shape(r.current),
        shape(r.recommended),
        usd(r.estimatedMonthlySavingUsd),
        r.confidence.toFixed(2),
        r.status,
      ]),
    ),
  );
  const total = recs.reduce((s, r) => s + r.estimatedMonthlySavingUsd, 0);
  console.log(
    `${recs.length} recommendation(s), ${usd(total)}/month estimated (kinds overlap: a workload may have alternatives)`,
  );
}

function printReport(figures: AdoptionFigures & { byKind?: Record<string, AdoptionFigures> }): void {
  const row = (name: string, f: AdoptionFigures) => [
    name,
    f.byStatus.open,
    f.byStatus.accepted,
    f.byStatus.realised,
    f.byStatus.dismissed,
    f.byStatus.expired,
    pct(f.adoptionRate),
    usd(f.realisedEstimatedMonthlySavingUsd),
    usd(f.realisedMeasuredMonthlySavingUsd),
  ];
  console.log(
    formatTable(
      [
        'kind',
        'open',
        'accepted',
        'realised',
        'dismissed',
        'expired',
        'adoption',
        'realised est. $/mo',
        'realised measured $/mo',
      ],
      [...Object.entries(figures.byKind ?? {}).map(([k, f]) => row(k, f)), row('all', figures)],
    ),
  );
  console.log('adoption = (accepted + realised) / (accepted + realised + dismissed + expired)');
}

export function registerRecommendCommand(program: Command, ctx: CliContext): void {
  const recommend = program
    .command('recommend')
    .description('optimization recommendations with $ and adoption: compute and list, accept, dismiss, report');

  recommend
    .command('list', { isDefault: true })
    .description('run the recommender now over the last 7 days, then list the open and accepted recommendations')
    .option('--tenant <name>', 'only this tenant')
    .option('--cluster <name>', 'only this cluster')
    .option('--all', 'every status, not only open and accepted')
    .option('--no-run', 'list what is stored, without running the recommender first')
    .option('--at <time>', 'evaluate as of this date or zoned time instead of now')
    .option('--json', 'print the recommendations as JSON (contracts/recommendation.ts)')
    .action(
      async (o: { tenant?: string; cluster?: string; all?: boolean; run: boolean; at?: string; json?: boolean }) => {
        const config = ctx.config();
        const nowMs = o.at === undefined ? Date.now() : parseInstant(o.at);
        const recs = await withStore(ctx, async (store) => {
          if (o.run) {
            const job = createRecommenderJob(
              {
                executor: store.executor,
                database: store.database,
                catalog: loadPriceCatalog(config.priceCatalogPath ?? undefined),
                cost: loadCostConfig(config.costConfigPath),
              },
              { now: () => nowMs, logger: ctx.logger('recommend', 'warn') },
            );
            await job.run();
          }
          return readRecommendations(createRecommendationStore(store.executor, { database: store.database }), {
            ...(o.cluster ? { cluster: o.cluster } : {}),
          });
        });
        const shown = recs
          .filter((r) => o.all || r.status === 'open' || r.status === 'accepted')
          .filter((r) => o.tenant === undefined || r.target.tenant === o.tenant)
          .sort((a, b) => b.estimatedMonthlySavingUsd - a.estimatedMonthlySavingUsd || (a.id < b.id ? -1 : 1));
        if (o.json) console.log(JSON.stringify(shown, null, 2));
        else printList(shown);
      },
    );

  for (const [name, to] of [
    ['accept', 'accepted'],
    ['dismiss', 'dismissed'],
  ] as const) {
    recommend
      .command(`${name} <id>`)
      .description(
        name === 'accept'
          ? 'accept a recommendation (it is realised once its shape shows up)'
          : 'dismiss a recommendation, with a reason',
      )
      .option('--reason <text>', name === 'dismiss' ? 'why (required)' : 'a note')
      .action(async (id: string, o: { reason?: string }) => {
        const after = await withStore(ctx, (store) =>
          decide(createRecommendationStore(store.executor, { database: store.database }), {
            id,
            to,
            reason: o.reason ?? null,
            atMs: Date.now(),
            actor: 'cli',
          }),
        );
        console.log(`${after.id} ${after.status}${after.statusReason ? `: ${after.statusReason}` : ''}`);
      });
  }

  recommend
    .command('report')
    .description('adoption rate and realised vs estimated $, by kind')
    .option('--window <range>', 'only recommendations created in this range (24h | 30d | 2026-11-01..2026-11-30)')
    .option('--tenant <name>', 'only this tenant')
    .option('--json', 'print the report as JSON')
    .action(async (o: { window?: string; tenant?: string; json?: boolean }) => {
      const range = o.window === undefined ? null : parseCostWindow(o.window, Date.now());
      const recs = (
        await withStore(ctx, (store) =>
          readRecommendations(createRecommendationStore(store.executor, { database: store.database })),
        )
      )
        .filter((r) => range === null || (r.createdAtMs >= range.fromMs && r.createdAtMs < range.toMs))
        .filter((r) => o.tenant === undefined || r.target.tenant === o.tenant);
      const report = adoptionReport(recs);
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report);
    });
}
