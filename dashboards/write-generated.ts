/**
 * `npm run dashboards`: writes every dashboard's Grafana JSON to dashboards/generated/<uid>.json.
 * `--check`: writes nothing, exits 1 naming every file that is missing or differs from what the
 * sources build (the test suite checks the same).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DASHBOARDS } from './all-dashboards.ts';
import { GENERATED_DIR, renderDashboards, staleDashboards } from './generate.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
if (values.check) {
  const stale = staleDashboards();
  if (stale.length > 0) {
    console.error(`dashboards/generated is not current (${stale.join(', ')}): run npm run dashboards`);
    process.exitCode = 1;
  } else console.log(`dashboards/generated: ${DASHBOARDS.length} dashboards current`);
} else {
  for (const [file, text] of renderDashboards()) writeFileSync(join(GENERATED_DIR, file), text);
  console.log(`wrote ${DASHBOARDS.length} dashboards to ${GENERATED_DIR}`);
}
