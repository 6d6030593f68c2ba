/**
 * Figure for issue 17 item 3: how long the web console takes to load each view on demo data, in
 * Debian's headless Chromium (playwright-core), embedded mode: the API over chDB holding the console
 * kit's fleet (test/kits/console-kit.ts), a platform viewer's token. Each load is a fresh browser
 * context (empty cache, the token in sessionStorage): from navigation start to the view drawn, as the
 * page itself measures it (`body[data-ready-ms]`, performance.now() once the view and its charts are in
 * the page); beside it the time as the driver sees it (goto to a canvas per chart, with the
 * DevTools round trips). The first load also pays the bundle being built, when
 * it was not built yet (it starts with the API). Prints one line per view and last:
 * `console: p50 <ms> ms, max <ms> ms over <n> loads (4 views × <runs>)`; beside each view, the time its
 * API requests take alone (from Node, right after), which is where most of a load goes.
 * Usage: npm run bench:console [-- --runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ALERTS_PATH,
  BUDGETS_PATH,
  COST_QUERY,
  FLEET_MODELS_QUERY,
  FLEET_QUERY,
  RECOMMENDATIONS_PATH,
} from '../api/console/web/queries.ts';
import { createChdbExecutor } from '../pipeline/store/chdb-executor.ts';
import { closeChromium, launchChromium } from '../test/helpers/browser.ts';
import { startConsoleFixture } from '../test/kits/console-kit.ts';

/** Each view: its charts, and the API requests it makes (in parallel). */
const VIEWS = {
  fleet: [2, [`/v1/allocation?${FLEET_QUERY}`, `/v1/allocation?${FLEET_MODELS_QUERY}`]],
  cost: [1, [`/v1/allocation?${COST_QUERY}`]],
  budgets: [1, [BUDGETS_PATH, ALERTS_PATH]],
  scheduler: [1, [RECOMMENDATIONS_PATH]],
} as const;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-bench-console-'));
const executor = createChdbExecutor({ dataDir });
const fixture = await startConsoleFixture(executor, 'bench_console');
const browser = await launchChromium();
try {
  const all: number[] = [];
  for (const [view, [charts, paths]] of Object.entries(VIEWS)) {
    const times: number[] = [];
    const apiTimes: number[] = [];
    const inPage: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
      const page = await context.newPage();
      // The token is taken from the URL once; the hash then names the view.
      await page.addInitScript(`sessionStorage.setItem('gpu-ledger-token', ${JSON.stringify(fixture.platformToken)})`);
      const started = performance.now();
      await page.goto(`${fixture.api.url}/#${view}`, { timeout: 15_000 });
      await page.waitForSelector(`body[data-ready="${view}"]`, { timeout: 15_000 });
      await page
        .locator('[data-chart] canvas')
        .nth(charts - 1)
        .waitFor({ timeout: 15_000 });
      times.push(performance.now() - started);
      inPage.push(Number(await page.getAttribute('body', 'data-ready-ms')));
      await context.close();
      const apiStarted = performance.now();
      await Promise.all(paths.map((p) => fixture.api.get(p, fixture.platformToken)));
      apiTimes.push(performance.now() - apiStarted);
    }
    all.push(...inPage);
    const row = (ts: number[]) => ts.map((t) => t.toFixed(0).padStart(5)).join(' ');
    console.log(
      `${view.padEnd(10)} drawn ${row(inPage)} ms after navigation start (${row(times)} ms as the driver sees it); its API requests alone ${row(apiTimes)} ms`,
    );
  }
  const sorted = [...all].sort((a, b) => a - b);
  console.log(
    `console: p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms over ${all.length} loads (4 views × ${runs})`,
  );
} finally {
  await closeChromium(browser);
  await fixture.api.close();
  await executor.close();
  rmSync(dataDir, { recursive: true, force: true });
}
