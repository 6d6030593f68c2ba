import type { DeadLetter, DeliveredRecord, RecordBus } from '../../contracts/index.ts';
import { decodeDeadLetter, Topics } from '../../contracts/index.ts';
import type { KafkaAdmin } from '../../bus/kafka-admin.ts';
import { reasonCategory } from './dead-letters.ts';

/** A dead letter and where it sits on the dead-letter topic. */
export interface ListedDeadLetter {
  readonly letter: DeadLetter;
  readonly partition: number;
  readonly offset: string;
}

export interface ReadDeadLettersOptions {
  /** A throwaway consumer group: the reader starts from the beginning of the topic and commits nothing anyone else reads. */
  readonly groupId: string;
  /** Without log end offsets: stop once nothing arrived for this long after the first batch. */
  readonly idleMs: number;
  /** Stop after this long in any case. */
  readonly maxWaitMs: number;
}

export interface ReadDeadLettersResult {
  readonly letters: readonly ListedDeadLetter[];
  /** Records on the topic that are not valid dead letters (counted, skipped). */
  readonly undecodable: number;
  /** False when maxWaitMs passed before the end of the topic was reached. */
  readonly complete: boolean;
}

/**
 * Reads the whole dead-letter topic. With Kafka offsets (distributed mode) it stops exactly at the
 * log end it saw when it started; without (in-process bus) once the topic went quiet.
 */
export async function readDeadLetters(
  deps: { readonly bus: RecordBus; readonly offsets?: Pick<KafkaAdmin, 'endOffsets' | 'deleteGroup'> },
  options: ReadDeadLettersOptions,
): Promise<ReadDeadLettersResult> {
  const ends = deps.offsets ? await deps.offsets.endOffsets(Topics.deadLetters) : null;
  if (ends && [...ends.values()].every((end) => end === 0n)) return { letters: [], undecodable: 0, complete: true };
  const records: DeliveredRecord[] = [];
  const seen = new Map<number, bigint>();
  const reachedEnd = () =>
    ends !== null && [...ends].every(([p, end]) => end === 0n || (seen.get(p) ?? -1n) >= end - 1n);
  let lastBatchAt = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const subscription = await deps.bus.subscribe({
    groupId: options.groupId,
    topics: [Topics.deadLetters],
    fromBeginning: true,
    handleBatch: async (batch) => {
      records.push(...batch.records);
      for (const r of batch.records) seen.set(r.partition, BigInt(r.offset));
      lastBatchAt = Date.now();
      if (reachedEnd()) finish();
    },
  });
  const started = Date.now();
  const poll = setInterval(() => {
    const quiet = ends === null && lastBatchAt > 0 && Date.now() - lastBatchAt >= options.idleMs;
    if (quiet || Date.now() - started >= options.maxWaitMs) finish();
  }, 50);
  await finished;
  clearInterval(poll);
  await subscription.close();
  await deps.offsets?.deleteGroup(options.groupId).catch(() => undefined);
  const letters: ListedDeadLetter[] = [];
  let undecodable = 0;
  for (const r of records) {
    const decoded = decodeDeadLetter(r.value);
    if (decoded.ok) letters.push({ letter: decoded.value, partition: r.partition, offset: r.offset });
    else undecodable += 1;
  }
  return { letters, undecodable, complete: ends === null || reachedEnd() };
}

export interface DeadLetterFilter {
  /** Only letters that failed at or after this instant (epoch ms). */
  readonly sinceMs?: number;
  /** A reason category (`invalid-json`, `store-rejected`, `invalid:samples[].utilizationPct`, …) or a substring of the reason. */
  readonly reason?: string;
}

/** Pure filter over listed letters. */
export function filterDeadLetters(letters: readonly ListedDeadLetter[], filter: DeadLetterFilter): ListedDeadLetter[] {
  return letters.filter(({ letter }) => {
    if (filter.sinceMs !== undefined && letter.failedAtMs < filter.sinceMs) return false;
    const reason = filter.reason;
    return reason === undefined || reasonCategory(letter.reason) === reason || letter.reason.includes(reason);
  });
}

/** Counts by reason category, largest first. */
export function countByReason(letters: readonly ListedDeadLetter[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const { letter } of letters)
    counts.set(reasonCategory(letter.reason), (counts.get(reasonCategory(letter.reason)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
