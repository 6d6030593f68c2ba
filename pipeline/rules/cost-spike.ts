/**
 * cost-spike: the cost of a tenant, namespace or model in the newest closed ledger window (an hour)
 * against its trailing baseline, the mean of the windows before it (24 by default; a computed window
 * in which the group had no rows cost it 0). Fires when the hour is at least `factor` × the baseline
 * AND at least `minIncreaseUsd` above it, with at least `minBaselineWindows` windows behind it.
 */
import { z } from 'zod';
import { newestRows, iso, type RuleCondition, type RuleKind } from './rule.ts';

export const COST_SPIKE_GROUPS = ['tenant', 'namespace', 'team', 'model'] as const;

const params = z.strictObject({
  /** Ledger dimensions compared separately. */
  by: z.array(z.enum(COST_SPIKE_GROUPS)).min(1).default(['tenant', 'namespace']),
  factor: z.number().min(1).default(2),
  minIncreaseUsd: z.number().min(0).default(10),
  baselineWindows: z.int().min(1).default(24),
  minBaselineWindows: z.int().min(1).default(6),
});
export type CostSpikeParams = z.infer<typeof params>;

export const costSpikeRule: RuleKind<CostSpikeParams> = {
  kind: 'cost-spike',
  description: 'hourly cost of a tenant / namespace / model far above its trailing baseline',
  defaults: {
    forMs: 0,
    severity: 'warning',
    runbook:
      'Spend jumped. `gpu-ledger cost report --window <the hour> --by pod` shows who: a new deployment with more GPUs, ' +
      'a job that scaled out, a price change in the catalog, or pods stuck holding GPUs (see idle-allocated alerts). ' +
      'Confirm with the owner that it is intended; otherwise scale it back.',
  },
  params,
  lookbackMs: (p) => (p.baselineWindows + 2) * 3_600_000,
  prepare(inputs, p) {
    const { windows, windowMs } = inputs.costs;
    const groups = new Set<string>(p.by);
    const series = inputs.costs.series.filter((s) => groups.has(s.by));
    return (atMs) => {
      const closed = windows.filter((w) => w + windowMs <= atMs);
      const last = closed[closed.length - 1];
      const baseline = closed.slice(Math.max(0, closed.length - 1 - p.baselineWindows), closed.length - 1);
      if (last === undefined || baseline.length < p.minBaselineWindows) return [];
      return series.flatMap((s): RuleCondition[] => {
        const costOf = (w: number) => s.costByWindow.get(w) ?? 0;
        const lastUsd = costOf(last);
        const baselineUsd = baseline.reduce((sum, w) => sum + costOf(w), 0) / baseline.length;
        if (lastUsd < p.factor * baselineUsd || lastUsd - baselineUsd < p.minIncreaseUsd) return [];
        return [
          {
            labels: { [s.by]: s.value, groupBy: s.by },
            activeSinceMs: last,
            openStart: false,
            observedUntilMs: last + windowMs,
            summary:
              `${s.by} ${s.value}: $${lastUsd.toFixed(2)} in the hour from ${iso(last)}, ` +
              `${baselineUsd > 0 ? `${(lastUsd / baselineUsd).toFixed(1)}×` : 'up from nothing against'} its $${baselineUsd.toFixed(2)}/h baseline`,
            evidence: {
              windowCostUsd: Math.round(lastUsd * 100) / 100,
              baselineUsdPerWindow: Math.round(baselineUsd * 100) / 100,
              ...(baselineUsd > 0 ? { ratio: Math.round((lastUsd / baselineUsd) * 100) / 100 } : {}),
              baselineWindows: baseline.length,
              windowStartMs: last,
            },
            rows: newestRows([...baseline, last]).map((w) => ({ windowStartMs: w, costUsd: costOf(w) })),
          },
        ];
      });
    };
  },
};
