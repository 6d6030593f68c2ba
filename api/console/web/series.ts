/** Stepped allocation sets → chart series and per-name totals (pure). */
import type { Allocation, AllocationSets } from './api-client.ts';

export interface Stepped {
  /** Each set's start, epoch seconds. */
  readonly xs: number[];
  readonly names: string[];
  values(name: string, field: keyof Allocation): (number | null)[];
  total(name: string, field: keyof Allocation): number;
}

/** Steps with no allocation (hours before the data) are left out: they carry no time. */
export function stepped(all: AllocationSets): Stepped {
  const sets = all.filter((set) => Object.keys(set).length > 0);
  const xs = sets.map((set) => Date.parse((Object.values(set)[0] as Allocation).start) / 1000);
  const names = [...new Set(sets.flatMap((set) => Object.keys(set)))].sort();
  const num = (a: Allocation | undefined, f: keyof Allocation) => (a === undefined ? null : Number(a[f]));
  return {
    xs,
    names,
    values: (name, field) => sets.map((set) => num(set[name], field)),
    total: (name, field) => sets.reduce((t, set) => t + (num(set[name], field) ?? 0), 0),
  };
}
