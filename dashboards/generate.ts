/** Every dashboard's Grafana JSON as dashboards/generated/<uid>.json holds it (what deploy/grafana provisions). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS } from './all-dashboards.ts';
import { buildDashboard } from './build-dashboard.ts';

export const GENERATED_DIR = join(import.meta.dirname, 'generated');

/** File name → JSON text of every dashboard, as the sources build them. */
export function renderDashboards(): Map<string, string> {
  return new Map(DASHBOARDS.map((spec) => [`${spec.uid}.json`, `${JSON.stringify(buildDashboard(spec), null, 2)}\n`]));
}

/** Files of GENERATED_DIR that are missing, stale, or no longer built. */
export function staleDashboards(dir = GENERATED_DIR): string[] {
  const wanted = renderDashboards();
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const stale = [...wanted].filter(
    ([file, text]) => !existsSync(join(dir, file)) || readFileSync(join(dir, file), 'utf8') !== text,
  );
  return [...stale.map(([file]) => file), ...present.filter((f) => !wanted.has(f))].sort();
}
