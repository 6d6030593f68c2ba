/**
 * The allocation route's query → the store query and the shaping options. Every semantic problem is
 * a 400 naming its parameter.
 */
import type { AllocationQuery } from '../../pipeline/store/allocation-store.ts';
import { COST_GROUP_KEYS, isLabelKey, type CostGroupKey } from '../../pipeline/store/cost-ledger-sql.ts';
import { invalid } from '../errors.ts';
import type { ApiLimits } from '../routes/route.ts';
import type { AllocationQueryInput } from './allocation-schema.ts';
import { parseOpenCostFilter } from './opencost-filter.ts';
import { HOUR_MS, parseOpenCostWindow, parseStep, stepCount } from './opencost-window.ts';
import type { AllocationOptions } from './to-allocation-sets.ts';

/** OpenCost's aggregate names and ours → ledger group keys. */
const AGGREGATES: Readonly<Record<string, CostGroupKey>> = {
  ...Object.fromEntries(COST_GROUP_KEYS.map((k) => [k, k])),
  controller: 'workload',
};
export const DEFAULT_AGGREGATE: readonly CostGroupKey[] = ['cluster', 'node', 'namespace', 'pod'];
const MAX_STEPS = 1000;

const wrap = <T>(field: string, f: () => T): T => {
  try {
    return f();
  } catch (error) {
    throw invalid(field, (error as Error).message);
  }
};

export const parseAggregate = (text: string | undefined): CostGroupKey[] => {
  if (text === undefined || text.trim() === '') return [...DEFAULT_AGGREGATE];
  if (text.trim() === 'all') return [];
  const keys = text.split(',').map((k) => k.trim());
  const out = keys.map((k): CostGroupKey => {
    const key = AGGREGATES[k] ?? (k.startsWith('label:') && isLabelKey(k.slice(6)) ? (k as CostGroupKey) : undefined);
    if (key === undefined)
      throw invalid(
        'aggregate',
        `unknown "${k}" (use ${[...Object.keys(AGGREGATES), 'label:<key>', 'all'].join(', ')})`,
      );
    return key;
  });
  if (new Set(out).size !== out.length) throw invalid('aggregate', 'names a key twice');
  return out;
};

const flag = (v: string | undefined) => v === 'true' || v === '1';

export const toAllocationRequest = (
  q: AllocationQueryInput,
  nowMs: number,
  limits: ApiLimits,
): { store: Omit<AllocationQuery, 'scope'>; options: AllocationOptions } => {
  const range = wrap('window', () => parseOpenCostWindow(q.window, nowMs));
  if ((range.toMs - range.fromMs) / HOUR_MS > limits.maxWindowHours)
    throw invalid('window', `covers more than the limit of ${limits.maxWindowHours} hours`);
  const stepMs = wrap('step', () => parseStep(q.step, range));
  if (stepCount(range, stepMs) > MAX_STEPS) throw invalid('step', `makes more than ${MAX_STEPS} sets`);
  const by = parseAggregate(q.aggregate);
  const conditions = wrap('filter', () => parseOpenCostFilter(q.filter ?? ''));
  const options: AllocationOptions = {
    range,
    stepMs,
    by,
    includeIdle: flag(q.includeIdle),
    shareIdle: flag(q.shareIdle),
    idleByNode: flag(q.idleByNode),
    accumulate: flag(q.accumulate),
  };
  return {
    options,
    store: {
      fromMs: range.fromMs,
      toMs: Math.max(range.toMs, range.fromMs + HOUR_MS),
      stepMs,
      by,
      byNode: options.idleByNode && (options.includeIdle || options.shareIdle),
      conditions,
      maxGroups: limits.maxRows,
    },
  };
};
