/** The route map: every data route the API serves, by name (a new capability joins as one more entry). */
import type { FocusExportOptions } from '../../pipeline/cost/focus-export.ts';
import { allocationRoute } from './allocation.ts';
import { alertsRoute } from './alerts.ts';
import { auditRoute } from './audit.ts';
import { budgetRoute, budgetsRoute, putBudgetRoute } from './budgets.ts';
import { exportFocusRoute } from './export-focus.ts';
import { modelsCostRoute } from './models-cost.ts';
import { hintsRoute } from './hints.ts';
import { putQuotaRoute, quotasRoute } from './quotas.ts';
import { acceptRecommendationRoute, dismissRecommendationRoute, recommendationsRoute } from './recommendations.ts';
import type { ApiRoute } from './route.ts';

export const createRoutes = (focus: FocusExportOptions): Readonly<Record<string, ApiRoute>> => ({
  allocation: allocationRoute,
  modelsCost: modelsCostRoute,
  exportFocus: exportFocusRoute(focus),
  quotas: quotasRoute,
  putQuota: putQuotaRoute,
  budgets: budgetsRoute,
  budget: budgetRoute,
  putBudget: putBudgetRoute,
  alerts: alertsRoute,
  recommendations: recommendationsRoute,
  acceptRecommendation: acceptRecommendationRoute,
  dismissRecommendation: dismissRecommendationRoute,
  hints: hintsRoute,
  audit: auditRoute,
});
