/**
 * The web console in a real browser (Debian's headless Chromium through playwright-core), embedded
 * mode: the API over chDB holding the console kit's fleet. Each view draws its charts (a canvas per
 * chart) with data, logs no error, and shows the figures the API answers; a tenant's token sees only
 * its tenant. Screenshots go to .run/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hours, usd } from '../../api/console/web/format.ts';
import { BUDGETS_PATH, COST_QUERY, FLEET_QUERY, RECOMMENDATIONS_PATH } from '../../api/console/web/queries.ts';
import { createChdbExecutor } from '../../pipeline/store/chdb-executor.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { closeChromium, launchChromium } from '../helpers/browser.ts';
import { uniqueName } from '../helpers/wait-for.ts';
import { startConsoleFixture, type ConsoleFixture } from '../kits/console-kit.ts';

const SCREENSHOTS = join(process.cwd(), '.run', 'screenshots');
const PAGE_TIMEOUT_MS = 15_000;
const dataDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-console-'));

type Sets = Record<string, { gpuHours: number; totalCost: number; name: string }>[];
const sum = (sets: Sets, field: 'gpuHours' | 'totalCost') =>
  sets.reduce((t, set) => t + Object.values(set).reduce((s, a) => s + a[field], 0), 0);

describe('web console in headless Chromium (chDB)', () => {
  let executor: SqlExecutor;
  let f: ConsoleFixture;
  let browser: Browser;

  beforeAll(async () => {
    executor = createChdbExecutor({ dataDir });
    f = await startConsoleFixture(executor, uniqueName('t_console'));
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await closeChromium(browser);
    await f?.api.close();
    await executor?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  /** Opens the console with a token on one view; returns the page and the errors it logged. */
  async function open(token: string, view: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(String(e)));
    await page.goto(`${f.api.url}/#token=${encodeURIComponent(token)}`, { timeout: PAGE_TIMEOUT_MS });
    await page.waitForSelector('body[data-ready="fleet"]');
    if (view !== 'fleet') {
      await page.click(`nav a[href="#${view}"]`);
      await page.waitForSelector(`body[data-ready="${view}"]`);
    }
    return { page, errors };
  }

  const stat = (page: Page, name: string) => page.textContent(`[data-stat="${name}"]`);
  const column = (page: Page, table: string, i: number) =>
    page.locator(`[data-table="${table}"] tbody tr td:nth-child(${i})`).allTextContents();

  /** Every chart of the view drew a canvas with a non-empty bitmap; no error was logged. */
  async function expectDrawn(page: Page, errors: string[], view: string, charts: number) {
    await page
      .locator('[data-chart] canvas')
      .nth(charts - 1)
      .waitFor();
    expect(await page.locator('[data-chart] canvas').count()).toBe(charts);
    const sizes = await page.$$eval('[data-chart] canvas', (cs) =>
      cs.map((c) => (c as unknown as { width: number }).width),
    );
    expect(sizes.every((w) => w > 0)).toBe(true);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, `${view}.png`), fullPage: true });
  }

  it('Fleet: GPU-hours per node and per model, as the API counts them', async () => {
    const { page, errors } = await open(f.platformToken, 'fleet');
    await expectDrawn(page, errors, 'fleet', 2);
    const byNode = (await f.api.get<{ data: Sets }>(`/v1/allocation?${FLEET_QUERY}`, f.platformToken)).body.data;
    expect(sum(byNode, 'gpuHours')).toBeGreaterThan(0);
    expect(await stat(page, 'fleet-gpu-hours')).toBe(hours(sum(byNode, 'gpuHours')));
    expect(await stat(page, 'fleet-nodes')).toBe(String(new Set(byNode.flatMap((s) => Object.keys(s))).size));
    expect((await column(page, 'fleet-models', 1)).length).toBeGreaterThan(0);
    await page.close();
  });

  it('Cost: the total and each tenant equal the API, idle included', async () => {
    const { page, errors } = await open(f.platformToken, 'cost');
    await expectDrawn(page, errors, 'cost', 1);
    const q = COST_QUERY.replace('step=1h', 'accumulate=true');
    const [set] = (await f.api.get<{ data: Sets }>(`/v1/allocation?${q}`, f.platformToken)).body.data;
    expect(await stat(page, 'cost-total')).toBe(usd(sum([set ?? {}], 'totalCost')));
    const tenants = await column(page, 'cost-tenants', 1);
    const costs = await column(page, 'cost-tenants', 2);
    expect(Object.fromEntries(tenants.map((t, i) => [t, costs[i]]))).toEqual(
      Object.fromEntries(Object.values(set ?? {}).map((a) => [a.name, usd(a.totalCost)])),
    );
    expect(tenants).toEqual(expect.arrayContaining(['acme', 'globex', '__idle__']));
    await page.close();
  });

  it('Budgets & alerts: spend per budget and the firing alerts, as the API answers', async () => {
    const { page, errors } = await open(f.platformToken, 'budgets');
    await expectDrawn(page, errors, 'budgets', 1);
    const { budgets } = (
      await f.api.get<{ budgets: { id: string; spentUsd: number }[] }>(BUDGETS_PATH, f.platformToken)
    ).body;
    expect(budgets.map((b) => b.id).sort()).toEqual(['tenant/acme', 'tenant/globex']);
    expect(await stat(page, 'budgets-spent')).toBe(usd(budgets.reduce((t, b) => t + b.spentUsd, 0)));
    expect(await column(page, 'budgets', 4)).toEqual(budgets.map((b) => usd(b.spentUsd)));
    expect(await stat(page, 'alerts-firing')).toBe('3');
    await page.close();
  });

  it('Scheduler & recommendations: open saving and every recommendation, as the API answers', async () => {
    const { page, errors } = await open(f.platformToken, 'scheduler');
    await expectDrawn(page, errors, 'scheduler', 1);
    const open_ = (
      await f.api.get<{ recommendations: { estimatedMonthlySavingUsd: number }[] }>(
        '/v1/recommendations?status=open',
        f.platformToken,
      )
    ).body.recommendations;
    expect(open_.length).toBeGreaterThan(0);
    expect(await stat(page, 'recommendations-open')).toBe(String(open_.length));
    expect(await stat(page, 'recommendations-open-usd')).toBe(
      usd(open_.reduce((t, r) => t + r.estimatedMonthlySavingUsd, 0)),
    );
    const all = (await f.api.get<{ recommendations: unknown[] }>(RECOMMENDATIONS_PATH, f.platformToken)).body;
    expect(await column(page, 'recommendations', 1)).toHaveLength(all.recommendations.length);
    await page.close();
  });

  it("a tenant's token sees its tenant only, in every view", async () => {
    const cost = await open(f.acmeToken, 'cost');
    await expectDrawn(cost.page, cost.errors, 'cost-acme', 1);
    expect(await column(cost.page, 'cost-tenants', 1)).toEqual(['acme']);
    const q = COST_QUERY.replace('step=1h', 'accumulate=true');
    const [acme] = (await f.api.get<{ data: Sets }>(`/v1/allocation?${q}`, f.acmeToken)).body.data;
    const [all] = (await f.api.get<{ data: Sets }>(`/v1/allocation?${q}`, f.platformToken)).body.data;
    expect(await cost.page.textContent('[data-stat="cost-total"]')).toBe(usd(sum([acme ?? {}], 'totalCost')));
    expect(sum([acme ?? {}], 'totalCost')).toBeLessThan(sum([all ?? {}], 'totalCost'));
    await cost.page.click('nav a[href="#budgets"]');
    await cost.page.waitForSelector('body[data-ready="budgets"]');
    expect(await column(cost.page, 'budgets', 1)).toEqual(['tenant/acme']);
    expect(await column(cost.page, 'alerts', 4)).toEqual(['namespace=genai node=a800-0 tenant=acme']);
    await cost.page.click('nav a[href="#scheduler"]');
    await cost.page.waitForSelector('body[data-ready="scheduler"]');
    const tenants = await column(cost.page, 'recommendations', 2);
    expect(tenants.length).toBeGreaterThan(0);
    expect(new Set(tenants)).toEqual(new Set(['acme']));
    expect(cost.errors).toEqual([]);
    await cost.page.close();
  });

  it('serves the page under a CSP that allows its own script only, and not upgraded to https', async () => {
    const res = await fetch(`${f.api.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('asks for a token, and again when the API refuses it', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    await page.goto(`${f.api.url}/`, { timeout: PAGE_TIMEOUT_MS });
    await page.fill('#token-form input', 'glt_nope_nope');
    await page.click('#token-form button');
    await page.waitForSelector('text=That token was not accepted');
    await page.close();
  });
});
