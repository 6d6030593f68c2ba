import { BUDGETS_ALERTS_DASHBOARD } from './budgets-alerts-dashboard.ts';
import { COST_DASHBOARD } from './cost-dashboard.ts';
import type { DashboardSpec } from './dashboard-spec.ts';
import { FLEET_DASHBOARD } from './fleet-dashboard.ts';
import { SCHEDULER_DASHBOARD } from './scheduler-dashboard.ts';

/** Every dashboard GPU Ledger ships, in the order Grafana lists them. */
export const DASHBOARDS: readonly DashboardSpec[] = [
  FLEET_DASHBOARD,
  COST_DASHBOARD,
  BUDGETS_ALERTS_DASHBOARD,
  SCHEDULER_DASHBOARD,
];
