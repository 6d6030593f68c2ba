import { describe, expect, it } from 'vitest';
import { testLookup, T0 } from '../../test/kits/cost-test-kit.ts';
import type { PodUsage } from '../store/ledger-inputs-store.ts';
import { toUsedGpuSeconds } from './pod-usage.ts';

const prices = testLookup(
  [
    [
      T0,
      [
        { model: 'H100', usdPerGpuHour: 1 },
        { model: 'T4', usdPerGpuHour: 1 },
      ],
    ],
  ],
  '',
);
const usage = (podUid: string, busyPctMs: number, extra: Partial<PodUsage> = {}): PodUsage => ({
  cluster: 'c1',
  podUid,
  kind: 'gpu',
  model: 'H100',
  migProfile: '',
  busyPctMs,
  ...extra,
});

describe('toUsedGpuSeconds', () => {
  it('turns utilization% × ms into GPU-seconds, MIG instances by their share of the parent', () => {
    const { byPod, problems } = toUsedGpuSeconds(
      [
        usage('a', 50 * 3_600_000),
        usage('a', 100 * 60_000),
        usage('m', 70 * 3_600_000, { kind: 'mig', migProfile: '3g.40gb' }),
      ],
      prices,
    );
    expect(problems).toEqual([]);
    expect(byPod.get('a')).toBe(1800 + 60);
    expect(byPod.get('m')).toBeCloseTo(0.7 * 3600 * (3 / 7), 9);
  });

  it('leaves out MIG usage it cannot convert and reports it', () => {
    const { byPod, problems } = toUsedGpuSeconds(
      [usage('m', 1000, { kind: 'mig' }), usage('t', 1000, { kind: 'mig', model: 'T4', migProfile: '1g.5gb' })],
      prices,
    );
    expect(byPod.size).toBe(0);
    expect(problems).toEqual([
      'pod m: usage on H100 MIG instances is not counted: the samples name no MIG profile',
      expect.stringMatching(
        /^pod t: usage on T4 MIG instances is not counted: GPU model 'T4' has no MIG profile table/,
      ),
    ]);
  });
});
