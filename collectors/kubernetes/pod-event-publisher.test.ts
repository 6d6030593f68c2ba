import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { examplePodEvent, Topics, type OutgoingRecord, type PodEvent, type RecordSink } from '../../contracts/index.ts';
import { testLogger } from '../../test/helpers/services.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { createPodEventPublisher } from './pod-event-publisher.ts';
import type { PodEventListener } from './pod-watcher.ts';

/** Stands in for the watcher: hands events to its subscriber like the real one does. */
function fakeWatcher() {
  let listener: PodEventListener | null = null;
  return {
    subscribe: (l: PodEventListener) => ((listener = l), () => void (listener = null)),
    emit: (events: PodEvent[]) => listener?.(events),
    get subscribed() {
      return listener !== null;
    },
  };
}
const started = examplePodEvent;
const finished: PodEvent = { ...started, event: 'finished', atMs: started.atMs + 3_600_000 };
const other: PodEvent = { ...started, podUid: '0b7e1a2c-3d4f-4e5a-8b6c-7d8e9f0a1b2c', event: 'created' };

/** The in-process bus, refusing the first `failures` sends as a broker outage would. */
function flakySink(failures: number) {
  const bus = createMemoryBus();
  const sent: { topic: string; records: readonly OutgoingRecord[] }[] = [];
  let left = failures;
  const sink: RecordSink = {
    async send(topic, records) {
      if (left-- > 0) throw new Error('broker unavailable');
      await bus.send(topic, records);
      sent.push({ topic, records });
    },
    close: () => bus.close(),
  };
  return { sink, sent };
}

describe('createPodEventPublisher', () => {
  it('sends each batch to kube.pod-events.v1 keyed by pod UID, in order', async () => {
    const watcher = fakeWatcher();
    const { sink, sent } = flakySink(0);
    const publisher = createPodEventPublisher(watcher, sink, { logger: testLogger('publisher') });
    watcher.emit([started, other]);
    watcher.emit([finished]);
    await publisher.flush();
    expect(sent.map((s) => s.topic)).toEqual([Topics.podEvents, Topics.podEvents]);
    expect(sent.flatMap((s) => s.records)).toEqual(
      [started, other, finished].map((e) => ({ key: e.podUid, value: JSON.stringify(e) })),
    );
    expect(publisher.sent).toBe(3);
    await publisher.close();
    expect(watcher.subscribed).toBe(false);
  });

  it('retries a refused send with backoff and keeps the order behind it', async () => {
    const watcher = fakeWatcher();
    const { sink, sent } = flakySink(3);
    const publisher = createPodEventPublisher(watcher, sink, {
      logger: testLogger('publisher'),
      retryMinMs: 5,
      retryMaxMs: 20,
    });
    watcher.emit([started]);
    watcher.emit([finished]);
    await waitFor('both batches sent', () => sent.length === 2, 5_000);
    expect(sent.map((s) => JSON.parse(s.records[0]?.value ?? '{}') as PodEvent).map((e) => e.event)).toEqual([
      'started',
      'finished',
    ]);
    await publisher.close();
  });

  it('close() stops retrying at once and reports what stayed unsent', async () => {
    const watcher = fakeWatcher();
    const { sink, sent } = flakySink(Number.POSITIVE_INFINITY);
    const publisher = createPodEventPublisher(watcher, sink, { logger: testLogger('publisher'), retryMinMs: 60_000 });
    watcher.emit([started]);
    const t0 = Date.now();
    await publisher.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(sent).toEqual([]);
    expect(publisher.sent).toBe(0);
  });
});
