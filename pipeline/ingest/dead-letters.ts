import type { DeadLetter, DeliveredRecord, OutgoingRecord } from '../../contracts/index.ts';
import { truncateDeadLetterPayload } from '../../contracts/index.ts';

/** A rejected record, wrapped with where it came from and why, ready for the dead-letter topic. */
export function toDeadLetter(record: DeliveredRecord, reason: string, failedAtMs: number): DeadLetter {
  return {
    schemaVersion: 1,
    sourceTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    reason,
    ...truncateDeadLetterPayload(record.value),
    failedAtMs,
  };
}

/** Dead letters are keyed by their source topic, so one topic's rejects stay in order. */
export const toDeadLetterRecord = (letter: DeadLetter): OutgoingRecord => ({
  key: letter.sourceTopic,
  value: JSON.stringify(letter),
});

/** Reasons of records the store itself refused (isolated by write-isolated.ts) start with this. */
export const STORE_REJECTED_PREFIX = 'store rejected: ';

/** The counter key of a reason: its first field path or category, so counts do not explode per value. */
export function reasonCategory(reason: string): string {
  if (reason.startsWith('invalid JSON')) return 'invalid-json';
  if (reason.startsWith('no decoder')) return 'unknown-topic';
  if (reason.startsWith(STORE_REJECTED_PREFIX)) return 'store-rejected';
  const path = /^([^:]+):/.exec(reason)?.[1] ?? 'invalid';
  return `invalid:${path.replace(/\[\d+\]/g, '[]')}`;
}
