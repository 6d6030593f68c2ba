/** Cost: by tenant hour by hour, with idle; totals, the two idle kinds (waste and unallocated), efficiency. */
import { allocation } from './api-client.ts';
import { timeChart } from './chart.ts';
import { section, stats, table } from './dom.ts';
import { pct, usd } from './format.ts';
import { COST_QUERY } from './queries.ts';
import { stepped } from './series.ts';

export async function costView(): Promise<HTMLElement[]> {
  const s = stepped(await allocation(COST_QUERY));
  const sum = (field: 'totalCost' | 'gpuWasteCost' | 'idleCost') => s.names.reduce((t, n) => t + s.total(n, field), 0);
  const rows = s.names
    .map((n) => ({
      n,
      cost: s.total(n, 'totalCost'),
      waste: s.total(n, 'gpuWasteCost'),
      hours: s.total(n, 'gpuHours'),
      used: s.total(n, 'gpuUsedHours'),
    }))
    .sort((a, b) => b.cost - a.cost);
  return [
    stats([
      ['cost-total', 'Cost (24 h)', usd(sum('totalCost'))],
      ['cost-waste', 'Allocated but unused', usd(sum('gpuWasteCost'))],
      ['cost-idle', 'Unallocated (idle)', usd(s.total('__idle__', 'totalCost'))],
    ]),
    section(
      'Cost per hour by tenant',
      timeChart(
        'cost-tenants',
        '$ per hour',
        s.xs,
        s.names.map((n) => ({ label: n, values: s.values(n, 'totalCost') })),
      ),
    ),
    section(
      'By tenant',
      table(
        'cost-tenants',
        ['tenant', 'cost', 'waste', 'efficiency'],
        rows.map((r) => [r.n, usd(r.cost), usd(r.waste), r.hours > 0 ? pct(r.used / r.hours) : '–']),
      ),
    ),
  ];
}
