import type { OutgoingRecord, RecordSink } from '../../contracts/index.ts';
import type { ListedDeadLetter } from './dead-letter-reader.ts';

/** What a redrive would publish: the original payloads, per source topic. */
export interface RedrivePlan {
  readonly byTopic: ReadonlyMap<string, readonly OutgoingRecord[]>;
  /** Payloads cut when dead-lettered (over 1 MiB): they cannot be published again. */
  readonly skippedTruncated: number;
  /** Letters whose (topic, key, payload) another letter in this run already carries (a record that failed more than once). */
  readonly duplicates: number;
}

/**
 * Plans a redrive (pure): every letter's original payload back to its source topic with its key,
 * each distinct payload once. Redriving is idempotent end to end: the ingest tables collapse a
 * record stored twice on its identity ((agentId, bootId, seq) and the device and instant for
 * samples, (pod, event, instant) for pod events, (agent, server, model, pod, instant) for
 * model-server samples) and rollups are recomputed from the deduplicated rows (docs/ingest-dedup.md).
 */
export function planRedrive(letters: readonly ListedDeadLetter[]): RedrivePlan {
  const byTopic = new Map<string, OutgoingRecord[]>();
  const seen = new Set<string>();
  let skippedTruncated = 0;
  let duplicates = 0;
  for (const { letter } of letters) {
    if (letter.payloadTruncated === true) {
      skippedTruncated += 1;
      continue;
    }
    const identity = JSON.stringify([letter.sourceTopic, letter.key, letter.payload]);
    if (seen.has(identity)) {
      duplicates += 1;
      continue;
    }
    seen.add(identity);
    let records = byTopic.get(letter.sourceTopic);
    if (!records) {
      records = [];
      byTopic.set(letter.sourceTopic, records);
    }
    records.push({ key: letter.key, value: letter.payload });
  }
  return { byTopic, skippedTruncated, duplicates };
}

/** Publishes a plan (acks from the bus before it resolves). */
export async function executeRedrive(sink: RecordSink, plan: RedrivePlan): Promise<number> {
  let sent = 0;
  for (const [topic, records] of plan.byTopic) {
    await sink.send(topic, records);
    sent += records.length;
  }
  return sent;
}
