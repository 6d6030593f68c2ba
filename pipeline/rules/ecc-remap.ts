/**
 * ecc-remap: new uncorrectable ECC errors on a GPU (the volatile uncorrected counter went up between
 * two samples; a drop is a driver reload, not an error), a row-remap failure, or remaps pending a
 * reset. Fires at once; stays firing while such events keep coming and `activeFor` (1 h) after the
 * last one. The remap fields are read when the telemetry carries them (DeviceSample.rowRemap*).
 */
import { z } from 'zod';
import { durationSchema } from './params.ts';
import type { DeviceSample, DeviceSeries } from './rule-inputs.ts';
import { iso, newestRows, type RuleCondition, type RuleKind } from './rule.ts';
import { currentStretch, stretchStarts } from './stretch.ts';

const params = z.strictObject({
  activeFor: durationSchema.default(60 * 60_000),
});
export type EccRemapParams = z.infer<typeof params>;

export const EccProblem = {
  uncorrectable: 'uncorrectable-ecc',
  remapFailure: 'row-remap-failure',
  remapPending: 'row-remap-pending',
} as const;
export type EccProblem = (typeof EccProblem)[keyof typeof EccProblem];

interface EccEvent {
  readonly tsMs: number;
  readonly problem: EccProblem;
  readonly before: number | null;
  readonly after: number | null;
}

/** The problem events of one device's samples (pure). */
export function eccEvents(samples: readonly DeviceSample[]): EccEvent[] {
  const events: EccEvent[] = [];
  let previous: number | null = null;
  for (const s of samples) {
    const total = s.eccUncorrectedTotal;
    if (total !== null) {
      if (previous !== null && total > previous)
        events.push({ tsMs: s.tsMs, problem: EccProblem.uncorrectable, before: previous, after: total });
      previous = total;
    }
    if (s.rowRemapFailure === true)
      events.push({ tsMs: s.tsMs, problem: EccProblem.remapFailure, before: null, after: null });
    if (s.rowRemapPending === true)
      events.push({ tsMs: s.tsMs, problem: EccProblem.remapPending, before: null, after: null });
  }
  return events;
}

const SUMMARY: Readonly<Record<EccProblem, string>> = {
  'uncorrectable-ecc': 'new uncorrectable ECC errors',
  'row-remap-failure': 'row remapping failed',
  'row-remap-pending': 'row remaps pending a GPU reset',
};

export const eccRemapRule: RuleKind<EccRemapParams> = {
  kind: 'ecc-remap',
  description: 'uncorrectable ECC errors, row-remap failure or remaps pending a reset',
  defaults: {
    forMs: 0,
    severity: 'critical',
    runbook:
      'Uncorrectable memory errors kill or corrupt the jobs on the GPU. Drain the GPU (cordon the node, let jobs move), ' +
      'reset it so pending row remaps take effect (`nvidia-smi -r`), and check `nvidia-smi -q -d ROW_REMAPPER`: a remap ' +
      'failure or no spare rows left means the GPU must be replaced (open a hardware case).',
  },
  params,
  lookbackMs: (p) => 2 * p.activeFor,
  prepare(inputs, p) {
    const series = inputs.devices.flatMap((device: DeviceSeries) => {
      const events = eccEvents(device.samples);
      return Object.values(EccProblem).flatMap((problem) => {
        const list = events.filter((e) => e.problem === problem);
        return list.length === 0
          ? []
          : [{ device, problem, list, starts: stretchStarts(list, () => true, p.activeFor) }];
      });
    });
    return (atMs) =>
      series.flatMap(({ device, problem, list, starts }): RuleCondition[] => {
        const run = currentStretch(list, starts, atMs, p.activeFor);
        if (run === null) return [];
        const events = list.slice(run.first, run.last + 1);
        const newErrors = events.reduce((n, e) => n + (e.after ?? 0) - (e.before ?? 0), 0);
        return [
          {
            labels: { cluster: device.cluster, node: device.node, gpu: device.gpuUuid, problem },
            activeSinceMs: run.startMs,
            openStart: run.first === 0,
            observedUntilMs: run.endMs,
            summary: `${SUMMARY[problem]} on ${device.gpuUuid} (${device.node}) since ${iso(run.startMs)}`,
            evidence: {
              problem,
              events: events.length,
              ...(problem === EccProblem.uncorrectable
                ? { newUncorrectableErrors: newErrors, uncorrectedTotal: events[events.length - 1]?.after ?? 0 }
                : {}),
            },
            rows: newestRows(events).map((e) => ({
              tsMs: e.tsMs,
              problem: e.problem,
              uncorrectedBefore: e.before,
              uncorrectedAfter: e.after,
            })),
          },
        ];
      });
  },
};
