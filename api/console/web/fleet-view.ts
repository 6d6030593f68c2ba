/** Fleet: GPU-hours allocated and used per node, hour by hour, and per GPU model over the window. */
import { allocation } from './api-client.ts';
import { barChart, timeChart } from './chart.ts';
import { section, stats, table } from './dom.ts';
import { hours, pct } from './format.ts';
import { FLEET_MODELS_QUERY, FLEET_QUERY } from './queries.ts';
import { stepped } from './series.ts';

export async function fleetView(): Promise<HTMLElement[]> {
  const [byNode, byModel] = await Promise.all([allocation(FLEET_QUERY), allocation(FLEET_MODELS_QUERY)]);
  const s = stepped(byNode);
  const models = Object.values(byModel[0] ?? {}).sort((a, b) => b.gpuHours - a.gpuHours);
  const allocated = s.names.reduce((t, n) => t + s.total(n, 'gpuHours'), 0);
  const used = s.names.reduce((t, n) => t + s.total(n, 'gpuUsedHours'), 0);
  return [
    stats([
      ['fleet-nodes', 'Nodes', String(s.names.length)],
      ['fleet-gpu-hours', 'GPU-hours allocated (24 h)', hours(allocated)],
      ['fleet-used-hours', 'GPU-hours used', hours(used)],
      ['fleet-efficiency', 'Efficiency', allocated > 0 ? pct(used / allocated) : '–'],
    ]),
    section(
      'GPU-hours allocated per node',
      timeChart(
        'fleet-nodes',
        'GPU-hours per hour',
        s.xs,
        s.names.map((n) => ({ label: n, values: s.values(n, 'gpuHours') })),
      ),
    ),
    section(
      'By GPU model',
      barChart(
        'fleet-models',
        'GPU-hours by model',
        models.map((m) => m.name),
        [
          { label: 'allocated', values: models.map((m) => m.gpuHours) },
          { label: 'used', values: models.map((m) => m.gpuUsedHours) },
        ],
      ),
      table(
        'fleet-models',
        ['GPU model', 'GPU-hours', 'used', 'efficiency'],
        models.map((m) => [m.name, hours(m.gpuHours), hours(m.gpuUsedHours), pct(m.gpuEfficiency)]),
      ),
    ),
  ];
}
