/** When the batcher flushes: whichever comes first. */
export interface BatcherConfig {
  /** Flush once the open batch holds this many rows. */
  readonly maxBatchRows: number;
  /** Flush at most this long after the first item entered the open batch. */
  readonly maxBatchDelayMs: number;
  /** Flushes running at once; the open batch waits for a free slot. */
  readonly maxConcurrentFlushes: number;
}

/** One thing to store: `key` identifies it across redeliveries (topic/partition/offset). */
export interface BatchItem<T> {
  readonly key: string;
  readonly rows: number;
  readonly value: T;
}

export interface RecordBatcher<T> {
  /**
   * Adds items to the open batch and resolves once every one of them was flushed (or rejects with
   * the flush's error). An item whose key is already waiting is not added twice: the caller waits
   * for the copy already queued (a redelivered bus batch joins its first delivery).
   */
  add(items: readonly BatchItem<T>[]): Promise<void>;
  /** How many callers may be adding at once (the consumer group members of this process). */
  setProducers(count: number): void;
  /** From now on flush at once, without waiting for size or time (shutdown). */
  drain(): void;
  readonly bufferedRows: number;
  readonly inFlight: number;
  /** Resolves when nothing is queued and no flush is running. */
  idle(): Promise<void>;
}

/** One batch's outcome: every item of the batch settles with it (one promise per batch, not per item). */
interface Outcome {
  readonly done: Promise<void>;
  settle(error?: Error): void;
}

interface Entry<T> {
  readonly value: T;
  readonly rows: number;
  readonly outcome: Outcome;
}

interface OpenBatch<T> {
  entries: Map<string, Entry<T>>;
  rows: number;
  due: boolean;
  timer: NodeJS.Timeout | null;
  readonly outcome: Outcome;
}

function newOutcome(): Outcome {
  let settle: (error?: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error?: Error) => (error === undefined ? resolve() : reject(error));
  });
  // A caller that gave up waiting (handler timeout) must not turn a failed flush into an unhandled rejection.
  done.catch(() => undefined);
  return { done, settle };
}

/**
 * Accumulates items across bus batches and hands them to `flush` in batches bounded by rows and
 * time. Callers (bus handlers) wait until their items are flushed, so the bus commits only what the
 * store accepted. When every producer is waiting, nothing more can arrive: flush at once instead of
 * waiting for the timer. `flush` must settle every item: resolve (stored or dead-lettered) or reject.
 */
export function createRecordBatcher<T>(flush: (values: T[]) => Promise<void>, config: BatcherConfig): RecordBatcher<T> {
  const queued = new Map<string, Entry<T>>();
  const fresh = (): OpenBatch<T> => ({ entries: new Map(), rows: 0, due: false, timer: null, outcome: newOutcome() });
  let open = fresh();
  let producers = 0;
  let waiting = 0;
  let draining = false;
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];

  const startFlush = (): void => {
    const batch = open;
    open = fresh();
    if (batch.timer) clearTimeout(batch.timer);
    inFlight += 1;
    void (async () => {
      let error: Error | undefined;
      try {
        await flush(Array.from(batch.entries.values(), (e) => e.value));
      } catch (e) {
        error = e instanceof Error ? e : new Error(`flush failed: ${String(e)}`);
      }
      for (const key of batch.entries.keys()) queued.delete(key);
      batch.outcome.settle(error);
      inFlight -= 1;
      maybeFlush();
      if (inFlight === 0 && open.entries.size === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    })();
  };

  const maybeFlush = (): void => {
    if (open.rows === 0 && open.entries.size === 0) return;
    if (inFlight >= config.maxConcurrentFlushes) return;
    if (draining || open.due || open.rows >= config.maxBatchRows || waiting >= producers) {
      startFlush();
      return;
    }
    open.timer ??= setTimeout(() => {
      open.due = true;
      maybeFlush();
    }, config.maxBatchDelayMs);
  };

  return {
    async add(items) {
      if (items.length === 0) return;
      // Usually all items join the open batch; a redelivered one waits for its queued copy's batch.
      const waits = new Set<Promise<void>>();
      for (const item of items) {
        let entry = queued.get(item.key);
        if (!entry) {
          entry = { value: item.value, rows: item.rows, outcome: open.outcome };
          queued.set(item.key, entry);
          open.entries.set(item.key, entry);
          open.rows += item.rows;
        }
        waits.add(entry.outcome.done);
      }
      waiting += 1;
      try {
        maybeFlush();
        await Promise.all(waits);
      } finally {
        waiting -= 1;
      }
    },
    setProducers(count) {
      producers = count;
      maybeFlush();
    },
    drain() {
      draining = true;
      maybeFlush();
    },
    get bufferedRows() {
      return open.rows;
    },
    get inFlight() {
      return inFlight;
    },
    idle() {
      return inFlight === 0 && open.entries.size === 0
        ? Promise.resolve()
        : new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
