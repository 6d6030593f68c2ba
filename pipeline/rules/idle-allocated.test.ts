import { describe, expect, it } from 'vitest';
import { firingAt, gentd26Utilization, inputs, rulesNamed } from '../../test/helpers/rule-kit.ts';
import type { PodDeviceSeries } from './rule-inputs.ts';

/** A real gentd26 pod as one pod holding half a GPU at $2/GPU-hour. */
function pod(key: string): PodDeviceSeries {
  const points = gentd26Utilization().get(key)!;
  return {
    cluster: 'c1',
    node: 'n1',
    gpuUuid: 'GPU-1',
    podUid: key,
    namespace: 'diffusion',
    pod: key.slice(0, 8),
    tenant: 'acme',
    share: 0.5,
    usdPerHour: 1,
    samples: points.map(([t, u]) => ({ tsMs: t * 1000, utilizationPct: u })),
  };
}
const iso = (s: string) => Date.parse(s);
const KEY = '3ed83727fd0a4a21f681882036a57972'; // 992 samples, gaps up to 456 s

describe('idle-allocated on a real gentd26 utilization series', () => {
  const series = pod(KEY);
  const instants = series.samples.map((s) => s.tsMs);

  it('fires once per stretch of 30 min below 5% (gaps over 5 min restart it), with $ burned (hand-computed)', () => {
    const { firing } = firingAt(rulesNamed(['idle-allocated']), inputs({ podDevices: [series] }), instants);
    // Stretches computed independently (every sample < 5%, neighbours ≤ 300 s apart, last − first ≥ 1800 s).
    expect(firing.map((a) => [new Date(a.activeAtMs).toISOString(), new Date(a.firedAtMs!).toISOString()])).toEqual([
      ['2022-09-11T12:14:09.000Z', '2022-09-11T12:44:33.000Z'],
      ['2022-09-11T15:08:00.000Z', '2022-09-11T15:38:24.000Z'],
      ['2022-09-11T16:01:12.000Z', '2022-09-11T16:32:33.000Z'],
      ['2022-09-11T17:53:18.000Z', '2022-09-11T18:23:42.000Z'],
      ['2022-09-11T20:38:36.000Z', '2022-09-11T21:09:00.000Z'],
      ['2022-09-11T21:47:57.000Z', '2022-09-11T22:20:15.000Z'],
      ['2022-09-11T22:29:45.000Z', '2022-09-11T23:00:09.000Z'],
    ]);
    const first = firing[0]!;
    // 30.4 min idle (12:14:09 → 12:44:33) × 0.5 GPU × $2/GPU-h = $1/h × 30.4/60 h
    expect(first.evidence).toEqual({
      idleMinutes: 30.4,
      idleSamples: 15,
      maxUtilizationPct: 0,
      utilizationBelowPct: 5,
      gpuShare: 0.5,
      usdPerHour: 1,
      burnedUsd: 0.5067,
    });
    expect(first.labels).toEqual({
      alertname: 'idle-allocated',
      severity: 'warning',
      cluster: 'c1',
      node: 'n1',
      gpu: 'GPU-1',
      namespace: 'diffusion',
      pod: '3ed83727',
      tenant: 'acme',
    });
    expect(first.summary).toBe(
      'diffusion/3ed83727 holds 0.5 of a GPU (GPU-1 on n1) below 5% utilization for 30 min: $0.51 burned since 2022-09-11T12:14:09.000Z',
    );
    expect(first.rows).toHaveLength(15);
    expect(firing[2]!.evidence['maxUtilizationPct']).toBeCloseTo(0.6333, 4);
  });

  it('each firing resolves when its stretch ends; the defaults can be overridden in the rules file', () => {
    const { notifications } = firingAt(rulesNamed(['idle-allocated']), inputs({ podDevices: [series] }), instants);
    expect(notifications.map((n) => n.state)).toEqual(Array.from({ length: 7 }, () => ['firing', 'resolved']).flat());
    const tenMinutes = rulesNamed(['idle-allocated'], 'rules: { idle-allocated: { for: 10m } }');
    expect(firingAt(tenMinutes, inputs({ podDevices: [series] }), instants).firing).toHaveLength(20);
    const longerGaps = rulesNamed(['idle-allocated'], 'rules: { idle-allocated: { params: { maxGap: 10m } } }');
    expect(firingAt(longerGaps, inputs({ podDevices: [series] }), instants).firing).toHaveLength(8);
  });

  it('over all 72 pods of the trace: 376 stretches of 30 min idle (counted independently)', () => {
    const all = [...gentd26Utilization().keys()].map(pod);
    const times = [...new Set(all.flatMap((p) => p.samples.map((s) => s.tsMs)))].sort((a, b) => a - b);
    expect(firingAt(rulesNamed(['idle-allocated']), inputs({ podDevices: all }), times).firing).toHaveLength(376);
    expect(iso('2022-09-11T01:12:00Z')).toBe(all[0]!.samples[0]!.tsMs);
  });

  it('a null utilization (nvidia-smi on a MIG instance) is not evidence of idleness', () => {
    const blind = { ...series, samples: series.samples.map((s) => ({ ...s, utilizationPct: null })) };
    expect(firingAt(rulesNamed(['idle-allocated']), inputs({ podDevices: [blind] }), instants).firing).toEqual([]);
  });
});
