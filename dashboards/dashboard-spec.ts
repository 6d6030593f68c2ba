/**
 * Dashboards as data: each dashboard is a list of panels with their raw SQL for the ClickHouse
 * datasource plugin and the column kinds the panel needs. build-dashboard.ts turns a spec into
 * Grafana's JSON with the foundation SDK; the test suite expands every panel's SQL the way the plugin
 * does (grafana-macros.ts) and runs it on chDB and ClickHouse 18.16, checking the columns' types.
 */

export const PanelKind = {
  timeseries: 'timeseries',
  stat: 'stat',
  table: 'table',
  barchart: 'barchart',
  heatmap: 'heatmap',
  piechart: 'piechart',
} as const;
export type PanelKind = (typeof PanelKind)[keyof typeof PanelKind];

/** What a result column must be for the panel: a DateTime, a number, or a string (a label). */
export type ColumnKind = 'time' | 'number' | 'string';

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind: PanelKind;
  /** Raw SQL as the panel stores it: plugin macros, `$database` and the template variables. */
  readonly sql: string;
  /** The result's columns, in order. */
  readonly columns: readonly ColumnKind[];
  /** Grafana unit id (percent, currencyUSD, bytes, watt, short, h, …). */
  readonly unit?: string;
  /** Grid width (of 24) and height; the builder lays panels out left to right. */
  readonly width?: number;
  readonly height?: number;
  /** Set when the SQL needs a function ClickHouse 18.16 lacks: the panel says so, tests run it on chDB only. */
  readonly needsClickHouse?: string;
}

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** Values offered: a SQL query on the datasource (a constant variable when null). */
  readonly sql: string | null;
  /** The constant's value (sql null), e.g. the database name. */
  readonly value?: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: readonly VariableSpec[];
  readonly panels: readonly PanelSpec[];
}

/** The datasource every panel and variable uses; deploy/grafana provisions it under this uid. */
export const DATASOURCE = { type: 'grafana-clickhouse-datasource', uid: 'gpu-ledger-clickhouse' } as const;

/** The store's database, a hidden constant: change it in one place when yours is not `gpu_ledger`. */
export const DATABASE_VARIABLE: VariableSpec = { name: 'database', label: 'Database', sql: null, value: 'gpu_ledger' };
