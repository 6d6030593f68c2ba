/**
 * ecc-remap: a GPU reports uncorrectable ECC errors (its volatile uncorrected count since the driver
 * loaded is above 0: dcgm-exporter users alert on `DCGM_FI_DEV_ECC_DBE_VOL_TOTAL > 0` alike), a
 * row-remap failure, or row remaps pending a reset. A state, not an event: it fires at once (`for:`
 * 0) and resolves when a GPU reset / driver reload clears the count (or the samples stop for longer
 * than `maxGap`). One alert per GPU and problem. The remap and page-retirement flags come from
 * nvidia-smi (remapped_rows, retired_pages) and DCGM (ROW_REMAP_FAILURE) when the telemetry has them.
 */
import { z } from 'zod';
import { deviceStretches } from './device-stretches.ts';
import { durationSchema } from './params.ts';
import type { DeviceSample } from './rule-inputs.ts';
import { iso, newestRows, type RuleCondition, type RuleKind } from './rule.ts';

const params = z.strictObject({
  /** Samples further apart than this end the condition (the XML with ECC is read every 30–60 s). */
  maxGap: durationSchema.default(10 * 60_000),
});
export type EccRemapParams = z.infer<typeof params>;

export const EccProblem = {
  uncorrectable: 'uncorrectable-ecc',
  remapFailure: 'row-remap-failure',
  remapPending: 'row-remap-pending',
  retirementPending: 'page-retirement-pending',
} as const;
export type EccProblem = (typeof EccProblem)[keyof typeof EccProblem];

const PROBLEMS: readonly {
  readonly problem: EccProblem;
  readonly holds: (s: DeviceSample) => boolean;
  readonly what: string;
}[] = [
  {
    problem: EccProblem.uncorrectable,
    holds: (s) => (s.eccUncorrectedTotal ?? 0) > 0,
    what: 'uncorrectable ECC errors since the driver loaded',
  },
  { problem: EccProblem.remapFailure, holds: (s) => s.rowRemapFailure === true, what: 'row remapping failed' },
  {
    problem: EccProblem.remapPending,
    holds: (s) => s.rowRemapPending === true,
    what: 'row remaps pending a GPU reset',
  },
  {
    // GPUs before the A100 retire pages instead of remapping rows; a pending retirement also waits for a reset.
    problem: EccProblem.retirementPending,
    holds: (s) => s.retiredPagesPending === true,
    what: 'a page retirement pending a GPU reset',
  },
];

export const eccRemapRule: RuleKind<EccRemapParams> = {
  kind: 'ecc-remap',
  description: 'uncorrectable ECC errors, row-remap failure, or row remaps / page retirements pending a reset',
  defaults: {
    forMs: 0,
    severity: 'critical',
    runbook:
      'Uncorrectable memory errors kill or corrupt the jobs on the GPU. Drain the GPU (cordon the node, let jobs move), ' +
      'reset it so pending row remaps take effect (`nvidia-smi -r`; the volatile count clears), and check ' +
      '`nvidia-smi -q -d ROW_REMAPPER,PAGE_RETIREMENT`: a remap failure, no spare rows left, or errors coming back after ' +
      'the reset mean the GPU must be replaced (open a hardware case).',
  },
  params,
  lookbackMs: (p) => 2 * p.maxGap,
  prepare(inputs, p) {
    const checks = PROBLEMS.map((c) => ({ ...c, at: deviceStretches(inputs.devices, c.holds, p.maxGap) }));
    return (atMs) =>
      checks.flatMap(({ problem, what, at }) =>
        at(atMs).map(({ device, stretch, samples }): RuleCondition => {
          const newest = samples[samples.length - 1]!;
          const first = samples[0]!;
          return {
            labels: { cluster: device.cluster, node: device.node, gpu: device.gpuUuid, problem },
            activeSinceMs: stretch.startMs,
            openStart: stretch.first === 0,
            observedUntilMs: stretch.endMs,
            summary:
              `${device.gpuUuid} (${device.node}): ${what}` +
              (problem === EccProblem.uncorrectable ? ` (${newest.eccUncorrectedTotal})` : '') +
              ` since ${iso(stretch.startMs)}`,
            evidence: {
              problem,
              ...(problem === EccProblem.uncorrectable
                ? {
                    uncorrectedTotal: newest.eccUncorrectedTotal ?? 0,
                    uncorrectedNew: (newest.eccUncorrectedTotal ?? 0) - (first.eccUncorrectedTotal ?? 0),
                    correctedTotal: newest.eccCorrectedTotal ?? 0,
                  }
                : {}),
            },
            rows: newestRows(samples).map((s) => ({
              tsMs: s.tsMs,
              eccUncorrectedTotal: s.eccUncorrectedTotal,
              eccCorrectedTotal: s.eccCorrectedTotal,
              rowRemapPending: s.rowRemapPending,
              rowRemapFailure: s.rowRemapFailure,
              retiredPagesPending: s.retiredPagesPending,
            })),
          };
        }),
      );
  },
};
