/**
 * memory-near-full: a GPU's (or MIG instance's) memory at least 95% used in every sample for `for:`
 * (10 min): the next allocation of the job on it fails with out-of-memory.
 */
import { z } from 'zod';
import { deviceStretches } from './device-stretches.ts';
import { durationSchema, percentParam } from './params.ts';
import { iso, newestRows, type RuleKind } from './rule.ts';

const params = z.strictObject({
  usedAtLeastPct: percentParam.default(95),
  maxGap: durationSchema.default(5 * 60_000),
});
export type MemoryNearFullParams = z.infer<typeof params>;

const usedPct = (used: number | null, total: number | null): number | null =>
  used === null || total === null || total <= 0 ? null : (used / total) * 100;

export const memoryNearFullRule: RuleKind<MemoryNearFullParams> = {
  kind: 'memory-near-full',
  description: 'GPU memory nearly full for a while',
  defaults: {
    forMs: 10 * 60_000,
    severity: 'warning',
    runbook:
      'The job on this GPU is about to fail with CUDA out-of-memory (or already retries). Ask the owner to lower the ' +
      'batch size or KV-cache share (vLLM `--gpu-memory-utilization`), or move the job to a GPU (or MIG profile) with ' +
      'more memory. A steadily growing footprint is a leak: restart the pod.',
  },
  params,
  lookbackMs: (p, forMs) => forMs + 2 * p.maxGap,
  prepare(inputs, p) {
    const stretches = deviceStretches(
      inputs.devices,
      (s) => (usedPct(s.memoryUsedBytes, s.memoryTotalBytes) ?? -1) >= p.usedAtLeastPct,
      p.maxGap,
    );
    return (atMs) =>
      stretches(atMs).map(({ device, stretch, samples }) => {
        const newest = samples[samples.length - 1]!;
        const pct = usedPct(newest.memoryUsedBytes, newest.memoryTotalBytes) ?? 0;
        return {
          labels: { cluster: device.cluster, node: device.node, gpu: device.gpuUuid },
          activeSinceMs: stretch.startMs,
          openStart: stretch.first === 0,
          observedUntilMs: stretch.endMs,
          summary: `${device.gpuUuid} (${device.node}) memory ${pct.toFixed(1)}% used for ${Math.round((stretch.endMs - stretch.startMs) / 60_000)} min since ${iso(stretch.startMs)}`,
          evidence: {
            memoryUsedPct: Math.round(pct * 100) / 100,
            memoryUsedBytes: newest.memoryUsedBytes ?? 0,
            memoryTotalBytes: newest.memoryTotalBytes ?? 0,
            usedAtLeastPct: p.usedAtLeastPct,
          },
          rows: newestRows(samples).map((s) => ({
            tsMs: s.tsMs,
            memoryUsedBytes: s.memoryUsedBytes,
            memoryTotalBytes: s.memoryTotalBytes,
          })),
        };
      });
  },
};
