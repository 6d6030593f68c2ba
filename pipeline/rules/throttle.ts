/**
 * throttle: a GPU's clocks held down by thermal, power-brake or hardware slowdown for `for:`
 * (5 min): every sample in the stretch reports at least one of the configured clock event reasons.
 * `sw_power_cap` is left out by default: a GPU at its power limit under full load reports it
 * normally.
 */
import { z } from 'zod';
import { ThrottleReason } from '../../contracts/gpu-sample-batch.ts';
import { deviceStretches } from './device-stretches.ts';
import { durationSchema } from './params.ts';
import { iso, newestRows, type RuleKind } from './rule.ts';

const params = z.strictObject({
  reasons: z
    .array(z.string().min(1))
    .min(1)
    .default([
      ThrottleReason.hwSlowdown,
      ThrottleReason.hwThermalSlowdown,
      ThrottleReason.hwPowerBrakeSlowdown,
      ThrottleReason.swThermalSlowdown,
    ]),
  maxGap: durationSchema.default(5 * 60_000),
});
export type ThrottleParams = z.infer<typeof params>;

export const throttleRule: RuleKind<ThrottleParams> = {
  kind: 'throttle',
  description: 'thermal, power-brake or hardware slowdown clock throttling held for a while',
  defaults: {
    forMs: 5 * 60_000,
    severity: 'warning',
    runbook:
      'The GPU runs below its clocks, so every job on it is slower (and costs more per result). Thermal: check inlet ' +
      'temperature, fans and airflow, and `nvidia-smi -q -d TEMPERATURE`. Power brake / HW slowdown: an external signal ' +
      '(PSU, chassis power) asserted slowdown; check the node’s power supplies and BMC logs. If it persists on one GPU ' +
      'only, drain it and open a hardware case.',
  },
  params,
  lookbackMs: (p, forMs) => forMs + 2 * p.maxGap,
  prepare(inputs, p) {
    const wanted = new Set(p.reasons);
    const stretches = deviceStretches(inputs.devices, (s) => s.throttleReasons.some((r) => wanted.has(r)), p.maxGap);
    return (atMs) =>
      stretches(atMs).map(({ device, stretch, samples }) => {
        const seen = [...new Set(samples.flatMap((s) => s.throttleReasons.filter((r) => wanted.has(r))))].sort();
        return {
          labels: { cluster: device.cluster, node: device.node, gpu: device.gpuUuid },
          activeSinceMs: stretch.startMs,
          openStart: stretch.first === 0,
          observedUntilMs: stretch.endMs,
          summary: `${device.gpuUuid} (${device.node}) throttled by ${seen.join(', ')} for ${Math.round((stretch.endMs - stretch.startMs) / 60_000)} min since ${iso(stretch.startMs)}`,
          evidence: {
            reasons: seen.join(','),
            throttledMinutes: Math.round((stretch.endMs - stretch.startMs) / 600) / 100,
            samples: samples.length,
          },
          rows: newestRows(samples).map((s) => ({ tsMs: s.tsMs, throttleReasons: s.throttleReasons.join(',') })),
        };
      });
  },
};
