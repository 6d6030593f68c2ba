/** Stepped allocation sets → chart series and per-name totals (pure). */
import type { Allocation, AllocationSets } from './api-client.ts';

export interface Stepped {
  /** Each set's start, epoch seconds. */
  readonly xs: number[];
  readonly names: string[];
  values(name: string, field: keyof Allocation): (number | null)[];
  total(name: string, field: keyof Allocation): number;
}

export function stepped(sets: AllocationSets): Stepped {
  const xs = sets.map((set) => {
    const first = Object.values(set)[0];
    return first === undefined ? 0 : Date.parse(first.start) / 1000;
  });
  const names = [...new Set(sets.flatMap((set) => Object.keys(set)))].sort();
  const num = (a: Allocation | undefined, f: keyof Allocation) => (a === undefined ? null : Number(a[f]));
  return {
    xs,
    names,
    values: (name, field) => sets.map((set) => num(set[name], field)),
    total: (name, field) => sets.reduce((t, set) => t + (num(set[name], field) ?? 0), 0),
  };
}
