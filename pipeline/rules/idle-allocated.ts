/**
 * idle-allocated: a pod holds a GPU (a whole one, a MIG instance, or its share of a time-sliced one)
 * and every sample of that device for `for:` (30 min) shows utilization below the threshold (5%), no
 * two samples more than `maxGap` (5 min) apart. The alert names the pod, its tenant and what the
 * idle time cost: the pod's share × the device's catalog price × the idle time (the cost ledger's
 * own terms, priced by the fetch: rule-inputs-store.ts).
 *
 * A device shared by several pods has one utilization: a pod there is idle only when the whole
 * device is. A null utilization (nvidia-smi on a MIG instance) is not evidence of idleness.
 */
import { z } from 'zod';
import { durationSchema, percentParam } from './params.ts';
import { iso, newestRows, type RuleCondition, type RuleKind } from './rule.ts';
import { currentStretch, stretchStarts } from './stretch.ts';

const params = z.strictObject({
  /** A sample counts as idle below this utilization (percent). */
  utilizationBelowPct: percentParam.default(5),
  /** Two samples further apart than this break the stretch. */
  maxGap: durationSchema.default(5 * 60_000),
});
export type IdleAllocatedParams = z.infer<typeof params>;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export const idleAllocatedRule: RuleKind<IdleAllocatedParams> = {
  kind: 'idle-allocated',
  description: 'a pod holds a GPU (or MIG instance, or a share) whose utilization stays below the threshold',
  defaults: {
    forMs: 30 * 60_000,
    severity: 'warning',
    runbook:
      'The pod holds GPU capacity it does not use, and its tenant pays for it. Check with the owner whether the workload ' +
      'is stuck (waiting on input, a dead data loader, a notebook left open) or over-provisioned; scale it down, move it ' +
      'to a smaller MIG profile or a shared GPU, or delete it. `gpu-ledger cost report --by pod` shows what it cost.',
  },
  params,
  lookbackMs: (p, forMs) => forMs + 2 * p.maxGap,
  prepare(inputs, p) {
    const series = inputs.podDevices.map((s) => ({
      s,
      starts: stretchStarts(
        s.samples,
        (x) => x.utilizationPct !== null && x.utilizationPct < p.utilizationBelowPct,
        p.maxGap,
      ),
    }));
    return (atMs) =>
      series.flatMap(({ s, starts }): RuleCondition[] => {
        const stretch = currentStretch(s.samples, starts, atMs, p.maxGap);
        if (stretch === null) return [];
        const idleMs = stretch.endMs - stretch.startMs;
        const inStretch = s.samples.slice(stretch.first, stretch.last + 1);
        const maxUtil = Math.max(...inStretch.map((x) => x.utilizationPct ?? 0));
        const burnedUsd = s.usdPerHour === null ? null : (s.usdPerHour * idleMs) / 3_600_000;
        const what = s.share === null ? 'a GPU' : s.share === 1 ? 'a whole GPU' : `${round(s.share, 3)} of a GPU`;
        const gpu = s.gpuUuid === '' ? '' : ` (${s.gpuUuid} on ${s.node})`;
        return [
          {
            labels: {
              cluster: s.cluster,
              node: s.node,
              gpu: s.gpuUuid,
              namespace: s.namespace,
              pod: s.pod,
              tenant: s.tenant,
            },
            activeSinceMs: stretch.startMs,
            openStart: stretch.first === 0,
            observedUntilMs: stretch.endMs,
            summary:
              `${s.namespace === '' ? '' : `${s.namespace}/`}${s.pod} holds ${what}${gpu} below ${p.utilizationBelowPct}% ` +
              `utilization for ${Math.round(idleMs / 60_000)} min` +
              (burnedUsd === null ? '' : `: $${burnedUsd.toFixed(2)} burned since ${iso(stretch.startMs)}`),
            evidence: {
              idleMinutes: round(idleMs / 60_000, 2),
              idleSamples: inStretch.length,
              maxUtilizationPct: maxUtil,
              utilizationBelowPct: p.utilizationBelowPct,
              ...(s.share === null ? {} : { gpuShare: round(s.share, 6) }),
              ...(s.usdPerHour === null ? {} : { usdPerHour: round(s.usdPerHour, 6) }),
              ...(burnedUsd === null ? {} : { burnedUsd: round(burnedUsd, 4) }),
            },
            rows: newestRows(inStretch).map((x) => ({ tsMs: x.tsMs, utilizationPct: x.utilizationPct })),
          },
        ];
      });
  },
};
