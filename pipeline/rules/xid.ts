/**
 * xid: Xid errors by code, one alert per GPU and code, severity from the Xid catalog
 * (xid-catalog.ts; overridable per code). An Xid is an event: its alert fires at once (`for:` 0) and
 * stays firing while the same code keeps coming on that GPU, resolving `activeFor` (1 h) after the
 * last occurrence.
 */
import { z } from 'zod';
import { AlertSeverity } from '../../contracts/alert.ts';
import { durationSchema } from './params.ts';
import type { XidRecord } from './rule-inputs.ts';
import { iso, newestRows, type RuleCondition, type RuleKind } from './rule.ts';
import { currentStretch, stretchStarts } from './stretch.ts';
import { xidInfo } from './xid-catalog.ts';

const params = z.strictObject({
  /** The alert stays firing this long after the code's last occurrence on the GPU. */
  activeFor: durationSchema.default(60 * 60_000),
  /** Severity per code, over the catalog's (`{ "13": info }`). */
  severityByCode: z.record(z.string().regex(/^\d+$/), z.enum(AlertSeverity)).default({}),
  /** Codes never alerted on. */
  ignoreCodes: z.array(z.int().min(0)).default([]),
});
export type XidParams = z.infer<typeof params>;

export const xidRule: RuleKind<XidParams> = {
  kind: 'xid',
  description: 'NVIDIA Xid errors by code, with the severity and action of NVIDIA’s Xid catalog',
  defaults: {
    forMs: 0,
    severity: 'warning',
    runbook:
      'The alert names NVIDIA’s recommended action for the code (evidence `action`): RESTART_APP — the application ' +
      'crashed, the GPU is fine; RESET_GPU — drain the GPU (cordon the node) and reset it (`nvidia-smi -r`); RESTART_BM — ' +
      'drain and reboot the node; CONTACT_SUPPORT — drain and open a hardware case with the GPU serial. A code that ' +
      'repeats on one GPU after a reset is a hardware fault: take the GPU out of service.',
  },
  params,
  lookbackMs: (p) => 2 * p.activeFor,
  prepare(inputs, p) {
    const ignored = new Set(p.ignoreCodes);
    const groups = new Map<string, XidRecord[]>();
    for (const x of inputs.xids) {
      if (ignored.has(x.xid)) continue;
      const key = JSON.stringify([x.cluster, x.node, x.gpuUuid, x.xid]);
      const list = groups.get(key);
      if (list) list.push(x);
      else groups.set(key, [x]);
    }
    const series = [...groups.values()].map((events) => {
      events.sort((a, b) => a.tsMs - b.tsMs);
      return { events, starts: stretchStarts(events, () => true, p.activeFor) };
    });
    return (atMs) =>
      series.flatMap(({ events, starts }): RuleCondition[] => {
        const run = currentStretch(events, starts, atMs, p.activeFor);
        if (run === null) return [];
        const first = events[run.first]!;
        const info = xidInfo(first.xid);
        const occurrences = events.slice(run.first, run.last + 1);
        return [
          {
            labels: { cluster: first.cluster, node: first.node, gpu: first.gpuUuid, xid: String(first.xid) },
            severity: p.severityByCode[String(first.xid)] ?? info.severity,
            activeSinceMs: run.startMs,
            openStart: run.first === 0,
            observedUntilMs: run.endMs,
            summary: `Xid ${first.xid} (${info.name}) on ${first.gpuUuid} (${first.node}), ${occurrences.length}× since ${iso(run.startMs)}: ${info.action}`,
            evidence: {
              xid: first.xid,
              name: info.name,
              meaning: info.meaning,
              action: info.action,
              category: info.category,
              occurrences: occurrences.length,
              firstAtMs: run.startMs,
              lastAtMs: run.endMs,
            },
            rows: newestRows(occurrences).map((x) => ({ tsMs: x.tsMs, xid: x.xid, message: x.message ?? null })),
          },
        ];
      });
  },
};
