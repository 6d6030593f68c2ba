import { describe, expect, it } from 'vitest';
import { inspectCapture } from '../../collectors/inspect/inspect-capture.ts';
import type { GpuSample } from '../../contracts/gpu-sample-batch.ts';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { firingAt, inputs, rulesNamed } from '../../test/helpers/rule-kit.ts';
import { toDeviceSample, type DeviceSeries } from './rule-inputs.ts';

const T0 = Date.UTC(2026, 10, 25, 12);
const MIN = 60_000;

/** The GPUs of a real capture, each reading held for `minutes` (sampled every 30 s as the agent would). */
function held(dir: string, file: string, minutes: number): DeviceSeries[] {
  const samples = inspectCapture(readFixture(dir, file), { nowMs: T0 })
    .records.filter((r) => r.type === 'gpu-sample')
    .map((r) => r.value as GpuSample);
  return samples.map((s) => ({
    cluster: 'c1',
    node: 'n1',
    gpuUuid: `${s.gpuUuid}#${s.index}`,
    model: s.model,
    migProfile: '',
    samples: Array.from({ length: minutes * 2 + 1 }, (_, i) => toDeviceSample({ ...s, observedAtMs: T0 + i * 30_000 })),
  }));
}
const everyHalfMinute = (minutes: number) => Array.from({ length: minutes * 2 + 1 }, (_, i) => T0 + i * 30_000);

describe('device rules on real nvidia-smi captures', () => {
  it('ecc-remap: the V100 with 7627 uncorrectable (DBE) errors and a pending page retirement fires both at once, critical; the others do not', () => {
    const devices = [
      ...held('nvidia-smi-xml', 'openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml', 1),
      ...held('nvidia-smi-xml', 'telegraf__a10g__515.105.01__procs.xml', 1),
      ...held('nvidia-smi-xml', 'telegraf__2x-rtx-a5000__590.44.01__procs.xml', 1),
    ];
    const { firing } = firingAt(rulesNamed(['ecc-remap']), inputs({ devices }), [T0]);
    expect(firing).toHaveLength(2);
    expect(firing[0]).toMatchObject({
      severity: 'critical',
      activeAtMs: T0,
      labels: { problem: 'uncorrectable-ecc', gpu: expect.stringMatching(/^GPU-ef23ffa6/) as unknown },
      evidence: { uncorrectedTotal: 7627, correctedTotal: 291, uncorrectedNew: 0 },
    });
    // Its <retired_pages> has 2 double-bit pages and <pending_retirement>Yes: a reset is due. The A10G's
    // <remapped_rows> (pending No, failure No) fires nothing.
    expect(firing[1]).toMatchObject({
      labels: { problem: 'page-retirement-pending', gpu: expect.stringMatching(/^GPU-ef23ffa6/) as unknown },
    });
  });

  it('memory-near-full: the RTX A5000 at 91.34% (23526899712 of 25757220864 B) fires after 10 min once the threshold is lowered to 90%', () => {
    const devices = held('nvidia-smi-xml', 'telegraf__2x-rtx-a5000__590.44.01__procs.xml', 12);
    expect(firingAt(rulesNamed(['memory-near-full']), inputs({ devices }), everyHalfMinute(12)).firing).toEqual([]);
    const at90 = rulesNamed(['memory-near-full'], 'rules: { memory-near-full: { params: { usedAtLeastPct: 90 } } }');
    const { firing } = firingAt(at90, inputs({ devices }), everyHalfMinute(12));
    expect(firing).toHaveLength(1); // GPU 1 is at 70.2%
    expect(firing[0]).toMatchObject({
      firedAtMs: T0 + 10 * MIN,
      evidence: { memoryUsedPct: 91.34, usedAtLeastPct: 90 },
    });
  });

  it('throttle: the RTX 2080 SUPER capture reporting sw_power_cap (held) fires when sw_power_cap is a configured reason', () => {
    const devices = held(
      'nvidia-smi-csv',
      'nvgpuexp__linux-x86_64__nvidia-geforce-rtx-2080-super__595.71.05__idle__query-gpu.csv',
      6,
    );
    expect(devices[0]!.samples[0]!.throttleReasons).toEqual(['sw_power_cap']);
    // by default only thermal / power-brake / HW slowdown count: a GPU at its power limit is normal
    expect(firingAt(rulesNamed(['throttle']), inputs({ devices }), everyHalfMinute(6)).firing).toEqual([]);
    const withCap = rulesNamed(['throttle'], 'rules: { throttle: { params: { reasons: [sw_power_cap] } } }');
    const { firing } = firingAt(withCap, inputs({ devices }), everyHalfMinute(6));
    expect(firing).toMatchObject([
      { firedAtMs: T0 + 5 * MIN, evidence: { reasons: 'sw_power_cap', throttledMinutes: 5 } },
    ]);
  });

  it('a silence longer than maxGap ends a stretch: the throttle restarts and needs its 5 minutes again', () => {
    const [device] = held(
      'nvidia-smi-csv',
      'nvgpuexp__linux-x86_64__nvidia-geforce-rtx-2080-super__595.71.05__idle__query-gpu.csv',
      16,
    );
    // no samples from minute 3 to minute 9 (6 min > the 5 min maxGap)
    const gappy = {
      ...device!,
      samples: device!.samples.filter((s) => s.tsMs <= T0 + 3 * MIN || s.tsMs >= T0 + 9 * MIN),
    };
    const withCap = rulesNamed(['throttle'], 'rules: { throttle: { params: { reasons: [sw_power_cap] } } }');
    const { firing } = firingAt(withCap, inputs({ devices: [gappy] }), everyHalfMinute(16));
    expect(firing).toMatchObject([{ activeAtMs: T0 + 9 * MIN, firedAtMs: T0 + 14 * MIN }]);
  });
});
