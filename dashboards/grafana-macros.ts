/**
 * How Grafana and the ClickHouse datasource plugin (grafana-clickhouse-datasource v4) turn a panel's
 * raw SQL into the statement ClickHouse runs, written from the plugin's code so that the test suite
 * can run every panel query on the stores exactly as Grafana would send it:
 *
 * 1. `$__conditionalAll(<condition>, $var)` → the condition, or `1=1` when the variable's value is
 *    All (`$__all`) or empty (the plugin's frontend, src/data/CHDatasource.ts applyConditionalAll,
 *    innermost-last: it walks the macros from the end of the query).
 * 2. Template variables (`$var`, `${var}`, `[[var]]`) and Grafana's globals (`$__from`, `$__to` in
 *    epoch ms, `$__interval_ms`): a multi-value variable becomes `'a','b'` (the plugin's `format`),
 *    a single value its raw text.
 * 3. The plugin's backend macros (pkg/macros/macros.go), F/T = the panel's range, N = its interval:
 *    `$__timeFilter(c)` → `c >= toDateTime(F_s) AND c <= toDateTime(T_s)`, `$__timeFrom(c)`,
 *    `$__timeTo(c)`, `$__fromTime`/`$__toTime` → `toDateTime(F_s|T_s)`, the `_ms` variants with
 *    `fromUnixTimestamp64Milli`, `$__dateFilter(c)`, `$__dateTimeFilter(d, t)` (= `$__dt`),
 *    `$__timeInterval(c)` → `toStartOfInterval(toDateTime(c), INTERVAL max(N_s,1) second)`,
 *    `$__timeInterval_ms(c)`, `$__interval_s` → max(N_s, 1). Unknown macros stay as they are.
 *
 * ClickHouse 18.16 lacks toStartOfInterval, toDateTime64 and fromUnixTimestamp64Milli, so the
 * dashboards bucket time with `intDiv(toUInt32(c), $__interval_s) * $__interval_s` and filter with
 * `$__timeFilter`, which run on both engines; a panel that needs a macro 18.16 lacks says so.
 */

export interface PanelQueryContext {
  /** The panel's time range, epoch milliseconds. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Grafana's interval for the panel (range / max data points, rounded), milliseconds. */
  readonly intervalMs: number;
  /** Current values of the dashboard's template variables: one value, several, or ALL_VALUE. */
  readonly variables: Readonly<Record<string, string | readonly string[]>>;
}

/** The value Grafana gives a variable whose "All" option is selected. */
export const ALL_VALUE = '$__all';

/** The arguments of a macro call whose '(' is at `open`, split at top-level commas (the plugin's getMacroArgs). */
function macroArgs(query: string, open: number): { args: string[]; end: number } | null {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < query.length; i++) {
    const c = query[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 1) {
      args.push(query.slice(start, i));
      start = i + 1;
    }
    if (depth === 0) {
      args.push(query.slice(start, i));
      return { args, end: i + 1 };
    }
  }
  return null;
}

function applyConditionalAll(query: string, variables: PanelQueryContext['variables']): string {
  const macro = '$__conditionalAll(';
  let out = query;
  for (let at = out.lastIndexOf(macro); at !== -1; at = out.lastIndexOf(macro)) {
    const call = macroArgs(out, at + macro.length - 1);
    if (call === null || call.args.length !== 2) return out;
    const [condition = '', variable = ''] = call.args;
    const name = /\$\{(\w+)\}|\$(\w+)/.exec(variable.trim());
    const value = name ? variables[name[1] ?? name[2] ?? ''] : undefined;
    const all = value === '' || value === ALL_VALUE || (Array.isArray(value) && value.includes(ALL_VALUE));
    out = out.slice(0, at) + (all ? '1=1' : condition) + out.slice(call.end);
  }
  return out;
}

function formatValue(value: string | readonly string[]): string {
  return typeof value === 'string' ? value : `'${value.join("','")}'`;
}

function applyVariables(query: string, ctx: PanelQueryContext): string {
  const globals: Record<string, string> = {
    __from: String(ctx.fromMs),
    __to: String(ctx.toMs),
    __interval_ms: String(ctx.intervalMs),
  };
  const lookup = (name: string): string | null => {
    if (name in globals) return globals[name] ?? null;
    const value = ctx.variables[name];
    return value === undefined ? null : formatValue(value);
  };
  // `${name}` and `[[name]]` first, then `$name` (longest names first so `$tenant` never eats `$tenant_id`).
  return query
    .replace(/\$\{(\w+)\}|\[\[(\w+)\]\]/g, (m, a?: string, b?: string) => lookup(a ?? b ?? '') ?? m)
    .replace(/\$(\w+)/g, (m, name: string) => (name.startsWith('__') && !(name in globals) ? m : (lookup(name) ?? m)));
}

const seconds = (ms: number) => Math.floor(ms / 1000);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type Macro = (args: readonly string[], ctx: PanelQueryContext) => string;

const range = (c: string, ctx: PanelQueryContext) =>
  `${c} >= toDateTime(${seconds(ctx.fromMs)}) AND ${c} <= toDateTime(${seconds(ctx.toMs)})`;

/** pkg/macros/macros.go: the macros this project's panels may use, expanded as the plugin does. */
const MACROS: Readonly<Record<string, { readonly arity: number; readonly expand: Macro }>> = {
  timeFilter: { arity: 1, expand: ([c = ''], ctx) => range(c, ctx) },
  timeFilter_ms: {
    arity: 1,
    expand: ([c = ''], ctx) =>
      `${c} >= fromUnixTimestamp64Milli(${ctx.fromMs}) AND ${c} <= fromUnixTimestamp64Milli(${ctx.toMs})`,
  },
  timeFrom: { arity: 1, expand: ([c = ''], ctx) => `${c} >= toDateTime(${seconds(ctx.fromMs)})` },
  timeTo: { arity: 1, expand: ([c = ''], ctx) => `${c} <= toDateTime(${seconds(ctx.toMs)})` },
  fromTime: { arity: 0, expand: (_, ctx) => `toDateTime(${seconds(ctx.fromMs)})` },
  toTime: { arity: 0, expand: (_, ctx) => `toDateTime(${seconds(ctx.toMs)})` },
  fromTime_ms: { arity: 0, expand: (_, ctx) => `fromUnixTimestamp64Milli(${ctx.fromMs})` },
  toTime_ms: { arity: 0, expand: (_, ctx) => `fromUnixTimestamp64Milli(${ctx.toMs})` },
  dateFilter: {
    arity: 1,
    expand: ([c = ''], ctx) => `${c} >= toDate('${day(ctx.fromMs)}') AND ${c} <= toDate('${day(ctx.toMs)}')`,
  },
  dateTimeFilter: {
    arity: 2,
    expand: ([d = '', t = ''], ctx) =>
      `(${d} >= toDate('${day(ctx.fromMs)}') AND ${d} <= toDate('${day(ctx.toMs)}')) AND (${range(t, ctx)})`,
  },
  timeInterval: {
    arity: 1,
    expand: ([c = ''], ctx) =>
      `toStartOfInterval(toDateTime(${c}), INTERVAL ${Math.max(seconds(ctx.intervalMs), 1)} second)`,
  },
  timeInterval_ms: {
    arity: 1,
    expand: ([c = ''], ctx) =>
      `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${Math.max(ctx.intervalMs, 1)} millisecond)`,
  },
  interval_s: { arity: 0, expand: (_, ctx) => String(Math.max(seconds(ctx.intervalMs), 1)) },
};
const ALIASES: Readonly<Record<string, string>> = { dt: 'dateTimeFilter' };

function applyBackendMacros(query: string, ctx: PanelQueryContext): string {
  let out = '';
  let i = 0;
  for (let at = query.indexOf('$__', i); at !== -1; at = query.indexOf('$__', i)) {
    const name = /^\$__(\w+)/.exec(query.slice(at))?.[1] ?? '';
    const macro = MACROS[ALIASES[name] ?? name];
    const afterName = at + 3 + name.length;
    if (macro === undefined) {
      out += query.slice(i, afterName);
      i = afterName;
      continue;
    }
    const call = query[afterName] === '(' ? macroArgs(query, afterName) : null;
    const args = call?.args.map((a) => a.trim()).filter((a, _, all) => !(all.length === 1 && a === '')) ?? [];
    if (args.length !== macro.arity) {
      throw new Error(`$__${name} expected ${macro.arity} argument(s), received ${args.length}`);
    }
    out += query.slice(i, at) + macro.expand(args, ctx);
    i = call?.end ?? afterName;
  }
  return out + query.slice(i);
}

/** The statement Grafana with the ClickHouse plugin sends for a panel's raw SQL. */
export function expandPanelSql(rawSql: string, ctx: PanelQueryContext): string {
  return applyBackendMacros(applyVariables(applyConditionalAll(rawSql, ctx.variables), ctx), ctx);
}
