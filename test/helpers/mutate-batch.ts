import type { GpuSampleBatch } from '../../contracts/index.ts';

/** Where in a batch a property test changes one field: the batch, a sample, a sample's `mig`, or a process. */
export type BatchPlace = 'batch' | 'sample' | 'mig' | 'process';

/**
 * A batch's JSON with one field at `where` (the `index`-th sample or process, the first `mig`) set to
 * `value` or removed; the batch itself is left as it was. A missing place (no MIG sample) changes nothing.
 */
export function mutatedBatchJson(
  batch: GpuSampleBatch,
  change: { where: BatchPlace; index: number; key: string; value: unknown; remove: boolean },
): string {
  const copy = JSON.parse(JSON.stringify(batch)) as Record<string, unknown> & {
    samples: Record<string, unknown>[];
    processes: Record<string, unknown>[];
  };
  const pick = <T>(xs: T[]): T | undefined => xs[change.index % Math.max(1, xs.length)];
  const target =
    change.where === 'batch'
      ? copy
      : change.where === 'sample'
        ? pick(copy.samples)
        : change.where === 'mig'
          ? (copy.samples.find((s) => s['mig'])?.['mig'] as Record<string, unknown> | undefined)
          : pick(copy.processes);
  if (target) {
    if (change.remove) delete target[change.key];
    // defineProperty: a key such as `__proto__` becomes a plain own field, as JSON.parse would make it
    else
      Object.defineProperty(target, change.key, {
        value: change.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
  }
  return JSON.stringify(copy);
}
