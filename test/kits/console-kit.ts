/**
 * Data for the web console's tests and bench: the recommender fleet (ledger hours of tenants acme and
 * globex, recommendations; recommender-fleet-kit.ts), a firing alert of each tenant and one of a node,
 * and a monthly budget per tenant; then the API over it at the fleet's clock, with a platform viewer's
 * token and acme's viewer token.
 */
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { parseCostConfig } from '../../pipeline/cost/cost-config.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { createAlertStore } from '../../pipeline/store/alert-store.ts';
import { createBudgetStore } from '../../pipeline/store/budget-store.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import { startApi, testApiOptions, type ApiHarness } from '../helpers/api-harness.ts';
import { FLEET_COST_CONFIG_YAML, fleetWithRecommendations, T0 } from './recommender-fleet-kit.ts';

const HOUR_MS = 3_600_000;

const alert = (alertId: string, labels: Record<string, string>, rule: string): AlertRecord => ({
  alertId,
  fingerprint: `fp-${alertId}`,
  rule,
  ruleKind: rule === 'xid' ? 'xid' : 'idle-allocated',
  severity: 'warning',
  summary: `${rule} on ${Object.values(labels).join('/')}`,
  runbook: '',
  labels,
  state: 'firing',
  activeAtMs: T0 + 7 * HOUR_MS,
  firedAtMs: T0 + 7 * HOUR_MS + 600_000,
  resolvedAtMs: null,
  observedUntilMs: T0 + 8 * HOUR_MS,
  evaluatedAtMs: T0 + 8 * HOUR_MS + 10 * 60_000,
  evidence: { burnedUsd: 5 },
  rows: [],
});

export interface ConsoleFixture {
  readonly api: ApiHarness;
  readonly platformToken: string;
  readonly acmeToken: string;
}

export async function startConsoleFixture(executor: SqlExecutor, database: string): Promise<ConsoleFixture> {
  const clock = await fleetWithRecommendations(executor, database);
  await createAlertStore(executor, { database }).write([
    alert('a-acme', { tenant: 'acme', namespace: 'genai', node: 'a800-0' }, 'gpu-allocated-idle'),
    alert('a-globex', { tenant: 'globex', namespace: 'ml' }, 'gpu-allocated-idle'),
    alert('a-node', { node: 'a800-0', gpu: 'GPU-x' }, 'xid'),
  ]);
  const budgets = createBudgetStore(executor, { database });
  for (const [tenant, amountUsd] of [
    ['acme', 2000],
    ['globex', 800],
  ] as const)
    await budgets.set({
      id: `tenant/${tenant}`,
      scope: 'tenant',
      scopeValue: tenant,
      period: 'monthly',
      amountUsd,
      thresholdsPct: [80, 100],
      updatedAtMs: T0,
      updatedBy: 'console-kit',
    });
  const cost = parseCostConfig(FLEET_COST_CONFIG_YAML, 'fleet');
  const api = await startApi(
    executor,
    testApiOptions(database, { pricing: { prices: createPriceLookup(loadPriceCatalog()), cost } }),
    () => clock,
  );
  return {
    api,
    platformToken: await api.token('platform-viewer'),
    acmeToken: await api.token('viewer', { tenant: 'acme' }),
  };
}
