import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, type DashboardSpec, type PanelKind, type PanelSpec, type VariableSpec } from './dashboard-spec.ts';

/** The plugin's `format` (sqlds numbering): 0 time series, 1 table. */
const FORMAT = { timeseries: 0, table: 1 } as const;
const PLUGIN_VERSION = '4.20.0';

/** A target of the grafana-clickhouse-datasource plugin in its raw-SQL editor mode. */
export interface ClickHouseQuery extends cog.Dataquery {
  refId: string;
  datasource: { type: string; uid: string };
  editorType: 'sql';
  rawSql: string;
  format: number;
  queryType: 'timeseries' | 'table';
  pluginVersion: string;
}

function clickHouseTarget(panel: PanelSpec): cog.Builder<ClickHouseQuery> {
  const timeSeries = panel.kind === 'timeseries' || panel.kind === 'heatmap';
  const query: ClickHouseQuery = {
    refId: 'A',
    datasource: { ...DATASOURCE },
    editorType: 'sql',
    rawSql: panel.sql,
    format: timeSeries ? FORMAT.timeseries : FORMAT.table,
    queryType: timeSeries ? 'timeseries' : 'table',
    pluginVersion: PLUGIN_VERSION,
    _implementsDataqueryVariant: () => undefined,
  };
  return { build: () => query };
}

type AnyPanelBuilder = cog.Builder<dashboard.Panel> & {
  title(t: string): unknown;
  description(d: string): unknown;
  datasource(d: { type: string; uid: string }): unknown;
  gridPos(g: dashboard.GridPos): unknown;
  withTarget(t: cog.Builder<cog.Dataquery>): unknown;
  unit(u: string): unknown;
};

const PANEL_BUILDERS: Record<PanelKind, () => AnyPanelBuilder> = {
  timeseries: () => new timeseries.PanelBuilder(),
  stat: () => new stat.PanelBuilder(),
  table: () => new table.PanelBuilder(),
  barchart: () => new barchart.PanelBuilder(),
  heatmap: () => new heatmap.PanelBuilder().calculate(true),
  piechart: () => new piechart.PanelBuilder(),
};

function description(panel: PanelSpec): string {
  return panel.needsClickHouse
    ? `${panel.description} Needs ${panel.needsClickHouse} (not ClickHouse 18.16).`
    : panel.description;
}

function variable(v: VariableSpec): cog.Builder<dashboard.VariableModel> {
  if (v.sql === null) return new dashboard.ConstantVariableBuilder(v.name).label(v.label).value(v.value ?? '');
  return new dashboard.QueryVariableBuilder(v.name)
    .label(v.label)
    .datasource({ ...DATASOURCE })
    .query(v.sql)
    .definition(v.sql)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .current({ text: 'All', value: '$__all' });
}

/** Grafana dashboard JSON for a spec: panels laid out left to right, 24 columns a row. */
export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('utc');
  for (const v of spec.variables) builder.withVariable(variable(v));
  let [x, y, rowHeight] = [0, 0, 0];
  for (const panel of spec.panels) {
    const [w, h] = [panel.width ?? 12, panel.height ?? 8];
    if (x + w > 24) [x, y, rowHeight] = [0, y + rowHeight, 0];
    const p = PANEL_BUILDERS[panel.kind]();
    p.title(panel.title);
    p.description(description(panel));
    p.datasource({ ...DATASOURCE });
    p.gridPos({ x, y, w, h });
    p.withTarget(clickHouseTarget(panel));
    if (panel.unit) p.unit(panel.unit);
    builder.withPanel(p);
    [x, rowHeight] = [x + w, Math.max(rowHeight, h)];
  }
  return builder.build();
}
