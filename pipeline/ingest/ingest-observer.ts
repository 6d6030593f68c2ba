import type { DeliveredRecord } from '../../contracts/index.ts';

/**
 * What the ingest consumer reports as it goes (pipeline/self-metrics turns it into OpenTelemetry
 * instruments). Calls are synchronous and cheap; one call per insert or per flush, never per row.
 */
export interface IngestObserver {
  /** One successful insert of `records` records (`rows` rows) of one topic, and how long it took. */
  inserted(event: {
    readonly topic: string;
    readonly records: number;
    readonly rows: number;
    readonly durationMs: number;
  }): void;
  /** Records whose rows the store accepted (their offsets may now be committed). */
  stored(records: readonly DeliveredRecord[], nowMs: number): void;
  /** Records sent to the dead-letter topic, by reason category (dead-letters.ts). */
  deadLettered(category: string, count: number): void;
  /** A write failed and will be retried after a backoff (store down, slow, or not isolated). */
  storeRetry(topic: string, error: unknown): void;
}

export const NOOP_INGEST_OBSERVER: IngestObserver = {
  inserted: () => undefined,
  stored: () => undefined,
  deadLettered: () => undefined,
  storeRetry: () => undefined,
};
