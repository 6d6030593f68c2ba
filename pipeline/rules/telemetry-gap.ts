/**
 * telemetry-gap: an agent that went silent (its newest batch is older than `silentAfter`, 2 min), or
 * batches missing between those that arrived in the last `gapWindow` (1 h): seq numbers of one agent
 * boot that never landed (data lost on the way: spool evicted, a batch refused). Sequence numbers
 * after the newest batch are not counted as missing: that is silence. An agent that restarted is
 * judged by its newest boot; one silent for longer than the fetch looks back (24 h) drops out.
 */
import { z } from 'zod';
import { durationSchema } from './params.ts';
import type { AgentBatches } from './rule-inputs.ts';
import { iso, newestRows, type RuleCondition, type RuleKind } from './rule.ts';

const params = z.strictObject({
  silentAfter: durationSchema.default(2 * 60_000),
  gapWindow: durationSchema.default(60 * 60_000),
  minMissingBatches: z.int().min(1).default(1),
});
export type TelemetryGapParams = z.infer<typeof params>;

/** How long the fetch looks back for an agent's newest batch (agents silent longer are forgotten). */
export const AGENT_MEMORY_MS = 24 * 3_600_000;

const newestAtOrBefore = (a: AgentBatches, atMs: number): number | null => {
  let newest = a.lastSeenMs !== null && a.lastSeenMs <= atMs ? a.lastSeenMs : null;
  for (const b of a.batches)
    if (b.collectedAtMs <= atMs && (newest === null || b.collectedAtMs > newest)) newest = b.collectedAtMs;
  return newest;
};

export const telemetryGapRule: RuleKind<TelemetryGapParams> = {
  kind: 'telemetry-gap',
  description: 'a node’s agent silent, or batches missing from its sequence',
  defaults: {
    forMs: 0,
    severity: 'warning',
    runbook:
      'Silent: the agent on the node stopped sending (pod crash-looping, node down, Kafka unreachable from it); check ' +
      '`kubectl -n <ns> logs` of the agent and its /healthz; its disk spool keeps up to 256 MiB and replays when it is ' +
      'back. Missing batches: data was lost on the way (spool full and evicting, batches dead-lettered): see ' +
      '`gpu-ledger deadletters list` and the agent’s spool metrics. Cost for the gap is billed from pod lifecycle, not lost.',
  },
  params,
  lookbackMs: (p) => p.gapWindow,
  prepare(inputs, p) {
    const byAgent = new Map<string, AgentBatches[]>();
    for (const a of inputs.agents) byAgent.set(a.agentId, [...(byAgent.get(a.agentId) ?? []), a]);
    return (atMs) => {
      const out: RuleCondition[] = [];
      for (const boots of byAgent.values()) {
        const seen = boots
          .map((a) => ({ a, newest: newestAtOrBefore(a, atMs) }))
          .filter((x): x is { a: AgentBatches; newest: number } => x.newest !== null)
          .sort((x, y) => y.newest - x.newest);
        const latest = seen[0];
        if (latest !== undefined && atMs - latest.newest >= p.silentAfter) {
          const { a, newest } = latest;
          out.push({
            labels: { cluster: a.cluster, node: a.node, agent: a.agentId, problem: 'silent' },
            activeSinceMs: newest + p.silentAfter,
            openStart: false,
            observedUntilMs: atMs,
            summary: `agent ${a.agentId} on ${a.node} silent since ${iso(newest)} (${Math.round((atMs - newest) / 60_000)} min)`,
            evidence: {
              lastBatchAtMs: newest,
              silentMinutes: Math.round((atMs - newest) / 600) / 100,
              bootId: a.bootId,
            },
            rows: [],
          });
        }
        for (const { a } of seen) {
          const recent = a.batches.filter((b) => b.collectedAtMs <= atMs && b.collectedAtMs > atMs - p.gapWindow);
          const holes = recent.slice(1).flatMap((b, i) => {
            const prev = recent[i]!;
            return b.seq - prev.seq > 1
              ? [{ fromSeq: prev.seq + 1, toSeq: b.seq - 1, afterMs: prev.collectedAtMs }]
              : [];
          });
          const missing = holes.reduce((n, h) => n + h.toSeq - h.fromSeq + 1, 0);
          if (missing < p.minMissingBatches) continue;
          out.push({
            labels: { cluster: a.cluster, node: a.node, agent: a.agentId, problem: 'seq-gap' },
            activeSinceMs: holes[0]!.afterMs,
            openStart: true,
            observedUntilMs: atMs,
            summary: `agent ${a.agentId} on ${a.node}: ${missing} batch(es) missing in the last ${Math.round(p.gapWindow / 60_000)} min (boot ${a.bootId})`,
            evidence: { missingBatches: missing, receivedBatches: recent.length, bootId: a.bootId },
            rows: newestRows(holes).map((h) => ({ fromSeq: h.fromSeq, toSeq: h.toSeq, afterMs: h.afterMs })),
          });
        }
      }
      return out;
    };
  },
};
