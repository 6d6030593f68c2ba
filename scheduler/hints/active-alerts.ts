/**
 * The alerts firing now, from the anomaly.alerts.v1 stream (contracts/alert.ts): the latest state per
 * alert id; a resolved alert leaves, and so does one not re-published for `ttlMs` (rules republish
 * firing alerts at every evaluation, so silence means its evaluator stopped). The subscription starts
 * at the topic's end: alerts firing before are seen at their next evaluation.
 */
import type { Logger } from 'pino';
import { decodeAlert, type Alert } from '../../contracts/alert.ts';
import type { RecordBus, Subscription } from '../../contracts/bus.ts';
import { Topics } from '../../contracts/topics.ts';

export interface ActiveAlerts {
  start(): Promise<void>;
  /** Firing alerts seen within the TTL. */
  firing(): Alert[];
  close(): Promise<void>;
}

export function createActiveAlerts(
  deps: { readonly bus: RecordBus; readonly now: () => number; readonly logger: Logger },
  config: { readonly groupId: string; readonly ttlMs: number },
): ActiveAlerts {
  const latest = new Map<string, { readonly alert: Alert; readonly seenAtMs: number }>();
  let subscription: Subscription | null = null;
  let rejected = 0;
  return {
    async start() {
      await deps.bus.ensureTopics([Topics.alerts]);
      subscription = await deps.bus.subscribe({
        groupId: config.groupId,
        topics: [Topics.alerts],
        fromBeginning: false,
        handleBatch: async (batch) => {
          for (const record of batch.records) {
            const decoded = decodeAlert(record.value);
            if (!decoded.ok) {
              if (rejected++ === 0)
                deps.logger.warn({ reason: decoded.error }, 'undecodable alert ignored by the node hints');
              continue;
            }
            if (decoded.value.status === 'resolved') latest.delete(decoded.value.id);
            else latest.set(decoded.value.id, { alert: decoded.value, seenAtMs: deps.now() });
          }
          return Promise.resolve();
        },
      });
    },
    firing() {
      const since = deps.now() - config.ttlMs;
      return [...latest.values()].filter((e) => e.seenAtMs >= since).map((e) => e.alert);
    },
    async close() {
      await subscription?.close();
      subscription = null;
    },
  };
}
