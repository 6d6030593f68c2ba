/**
 * The route map: every data route the API serves, by name. A capability another component provides
 * (budgets, alerts, recommendations, hints) joins here as one more entry once it exists; the narrow
 * store interfaces those routes will call are in ../sources.ts.
 */
import type { FocusExportOptions } from '../../pipeline/cost/focus-export.ts';
import { allocationRoute } from './allocation.ts';
import { auditRoute } from './audit.ts';
import { exportFocusRoute } from './export-focus.ts';
import { modelsCostRoute } from './models-cost.ts';
import { putQuotaRoute, quotasRoute } from './quotas.ts';
import type { ApiRoute } from './route.ts';

export const createRoutes = (focus: FocusExportOptions): Readonly<Record<string, ApiRoute>> => ({
  allocation: allocationRoute,
  modelsCost: modelsCostRoute,
  exportFocus: exportFocusRoute(focus),
  quotas: quotasRoute,
  putQuota: putQuotaRoute,
  audit: auditRoute,
});
