import { describe, expect, it } from 'vitest';
import type { PodEvent } from '../../contracts/pod-event.ts';
import { HOUR_MS, T0 } from '../../test/kits/cost-test-kit.ts';
import { toPodIntervals } from './pod-intervals.ts';

const event = (podUid: string, type: PodEvent['event'], atMs: number, extra: Partial<PodEvent> = {}): PodEvent => ({
  schemaVersion: 1,
  cluster: 'c1',
  node: type === 'created' ? null : 'n1',
  podUid,
  namespace: 'ml',
  podName: `pod-${podUid}`,
  event: type,
  atMs,
  gpuRequest: { kind: 'whole', count: 1 },
  labels: { team: 'vision' },
  owner: { kind: 'Job', name: 'train' },
  gpuUuids: [],
  ...extra,
});
const window = { windowStartMs: T0, windowEndMs: T0 + 4 * HOUR_MS };
const span = (events: PodEvent[]) =>
  toPodIntervals(events, window).map((i) => [i.podUid, (i.startMs - T0) / HOUR_MS, (i.endMs - T0) / HOUR_MS]);

describe('toPodIntervals', () => {
  it('runs from started to the earlier of finished/deleted, clipped to the window', () => {
    expect(
      span([
        event('a', 'created', T0 - 2 * HOUR_MS),
        event('a', 'scheduled', T0 - 2 * HOUR_MS),
        event('a', 'started', T0 - HOUR_MS),
        event('a', 'finished', T0 + HOUR_MS),
        event('a', 'deleted', T0 + 2 * HOUR_MS),
        event('b', 'started', T0 + 3 * HOUR_MS),
        event('c', 'started', T0 + HOUR_MS),
        event('c', 'deleted', T0 + 1.5 * HOUR_MS),
      ]),
    ).toEqual([
      ['a', 0, 1],
      ['c', 1, 1.5],
      ['b', 3, 4], // still running: open, clipped at the window end
    ]);
  });

  it('falls back to scheduled (GPUs reserved on the node) when the pod never started', () => {
    expect(span([event('p', 'scheduled', T0 + HOUR_MS), event('p', 'deleted', T0 + 2 * HOUR_MS)])).toEqual([
      ['p', 1, 2],
    ]);
  });

  it('collapses replayed events to the earliest time of each transition', () => {
    const replayed = [
      event('r', 'started', T0 + HOUR_MS),
      event('r', 'started', T0 + 2 * HOUR_MS),
      event('r', 'finished', T0 + 3 * HOUR_MS),
      event('r', 'finished', T0 + 3 * HOUR_MS),
    ];
    expect(span(replayed)).toEqual([['r', 1, 3]]);
  });

  it('yields nothing for pending, never-bound and out-of-window pods', () => {
    expect(
      span([
        event('pending', 'created', T0),
        event('unbound', 'started', T0, { node: null }),
        event('before', 'started', T0 - 3 * HOUR_MS),
        event('before', 'finished', T0 - HOUR_MS),
        event('after', 'started', T0 + 5 * HOUR_MS),
      ]),
    ).toEqual([]);
  });

  it('describes the pod from its latest event', () => {
    const [interval] = toPodIntervals(
      [
        event('d', 'scheduled', T0, { labels: { team: 'old' } }),
        event('d', 'started', T0 + HOUR_MS, { labels: { team: 'new' }, gpuUuids: ['GPU-1'] }),
      ],
      window,
    );
    expect(interval).toMatchObject({
      node: 'n1',
      namespace: 'ml',
      pod: 'pod-d',
      labels: { team: 'new' },
      gpuUuids: ['GPU-1'],
      owner: { name: 'train' },
    });
  });
});
