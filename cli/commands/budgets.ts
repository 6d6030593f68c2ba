import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  BudgetPeriod,
  DEFAULT_THRESHOLDS_PCT,
  parseBudgetId,
  validateBudget,
  type Budget,
} from '../../pipeline/budgets/budget.ts';
import { budgetSpends } from '../../pipeline/budgets/budget-spend.ts';
import { budgetStatus } from '../../pipeline/budgets/budget-status.ts';
import { createBudgetStore } from '../../pipeline/store/budget-store.ts';
import type { TelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { pricingFromConfig } from '../alerting.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { withStore } from '../with-store.ts';

const usd = (x: number | null) => (x === null ? null : x.toFixed(2));
const pct = (x: number | null) => (x === null ? null : `${x.toFixed(1)}%`);
const iso = (ms: number) => new Date(ms).toISOString();

interface SetOptions {
  readonly monthly?: string;
  readonly weekly?: string;
  readonly thresholds: string;
  readonly actor: string;
}

/** `budgets set` options → a validated budget (one error lists every problem). */
export function budgetFromOptions(id: string, o: SetOptions, nowMs: number): Budget {
  const { scope, scopeValue } = parseBudgetId(id);
  if ((o.monthly === undefined) === (o.weekly === undefined))
    throw new Error('give exactly one of --monthly or --weekly');
  const period = o.monthly === undefined ? BudgetPeriod.weekly : BudgetPeriod.monthly;
  const input = validateBudget({
    scope,
    scopeValue,
    period,
    amountUsd: Number(o.monthly ?? o.weekly),
    thresholdsPct: o.thresholds.split(',').map((t) => Number(t.trim().replace(/%$/, ''))),
  });
  return { ...input, id: `${scope}/${scopeValue}`, updatedAtMs: nowMs, updatedBy: o.actor };
}

/** `gpu-ledger budgets list|set|delete|status|history`: budgets in the store, every change audited. */
export function registerBudgetsCommand(program: Command, ctx: CliContext): void {
  const budgets = program.command('budgets').description('GPU spend budgets per tenant, team or namespace');
  const storeOf = (store: TelemetryStore) => createBudgetStore(store.executor, { database: store.database });
  const actor = userInfo().username;

  budgets
    .command('list')
    .description('the budgets in force')
    .action(async () => {
      const list = await withStore(ctx, (store) => storeOf(store).list());
      console.log(
        formatTable(
          ['budget', 'period', 'amount $', 'thresholds', 'updated', 'by'],
          list.map((b) => [
            b.id,
            b.period,
            b.amountUsd,
            b.thresholdsPct.map((t) => `${t}%`).join(','),
            iso(b.updatedAtMs),
            b.updatedBy,
          ]),
        ),
      );
    });

  budgets
    .command('set')
    .description('create or change a budget (audited): budgets set tenant/acme --monthly 5000 --thresholds 50,80,100')
    .argument('<budget>', 'tenant/<name>, team/<name> or namespace/<name>')
    .option('--monthly <usd>', 'USD per calendar month (UTC)')
    .option('--weekly <usd>', 'USD per ISO week (Monday 00:00 UTC)')
    .option('--thresholds <pct>', 'alert thresholds in percent', DEFAULT_THRESHOLDS_PCT.join(','))
    .option('--actor <name>', 'who makes the change (the audit trail)', actor)
    .action(async (id: string, o: SetOptions) => {
      const budget = budgetFromOptions(id, o, Date.now());
      const change = await withStore(ctx, (store) => storeOf(store).set(budget));
      console.log(
        `${change.before === null ? 'created' : 'changed'} ${budget.id}: $${budget.amountUsd} ${budget.period}, thresholds ${budget.thresholdsPct.join(',')}%`,
      );
    });

  budgets
    .command('delete')
    .description('remove a budget (audited)')
    .argument('<budget>', 'tenant/<name>, team/<name> or namespace/<name>')
    .option('--actor <name>', 'who makes the change (the audit trail)', actor)
    .action(async (id: string, o: { actor: string }) => {
      parseBudgetId(id);
      const change = await withStore(ctx, (store) => storeOf(store).delete(id, o.actor, Date.now()));
      console.log(change === null ? `no budget ${id}` : `deleted ${id}`);
    });

  budgets
    .command('status')
    .description(
      'spend this period (cost ledger + the open hour priced the same way), share, and the period-end forecast',
    )
    .option('--json', 'one JSON object per budget')
    .action(async (o: { json?: boolean }) => {
      const config = ctx.config();
      const pricing = pricingFromConfig(config);
      const nowMs = Date.now();
      const spends = await withStore(ctx, async (store) =>
        budgetSpends(
          { executor: store.executor, database: store.database, ...pricing },
          await storeOf(store).list(),
          nowMs,
        ),
      );
      const rows = spends.map((s) => ({ spend: s, status: budgetStatus(s) }));
      if (o.json)
        return void rows.forEach((r) =>
          console.log(JSON.stringify({ ...r.status, ...r.spend, budget: r.spend.budget })),
        );
      console.log(
        formatTable(
          ['budget', 'period from', 'spent $', 'of $', 'spent', 'forecast $', 'forecast', 'crossed'],
          rows.map(({ spend, status }) => [
            spend.budget.id,
            iso(spend.periodStartMs),
            usd(status.spentUsd),
            usd(status.amountUsd),
            pct(status.spentPct),
            usd(status.forecastUsd),
            pct(status.forecastPct),
            status.crossedPct.map((t) => `${t}%`).join(',') || '-',
          ]),
        ),
      );
    });

  budgets
    .command('history')
    .description('the audit trail of budget changes')
    .argument('[budget]', 'one budget (default: all)')
    .action(async (id?: string) => {
      const changes = await withStore(ctx, (store) => storeOf(store).changes(id));
      console.log(
        formatTable(
          ['when', 'budget', 'action', 'by', 'before', 'after'],
          changes.map((c) => [
            iso(c.changedAtMs),
            c.budgetId,
            c.action,
            c.actor,
            c.before === null ? null : `$${c.before.amountUsd} ${c.before.period}`,
            c.after === null ? null : `$${c.after.amountUsd} ${c.after.period}`,
          ]),
        ),
      );
    });
}
