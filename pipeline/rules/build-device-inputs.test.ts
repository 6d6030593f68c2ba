import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_CONFIG } from '../cost/cost-config.ts';
import { loadPriceCatalog } from '../cost/load-price-catalog.ts';
import type { PodInterval } from '../cost/pod-intervals.ts';
import { createPriceLookup } from '../cost/price-lookup.ts';
import type { SampleRow } from '../store/rule-inputs-store.ts';
import { buildDeviceInputs } from './build-device-inputs.ts';

const T0 = Date.UTC(2026, 10, 25, 12);
const sample = (node: string, device: string, seq: number, o: Partial<SampleRow> = {}): SampleRow => ({
  cluster: 'c1',
  node,
  device,
  model: 'Tesla T4',
  migProfile: '',
  tsMs: T0 + seq * 10_000,
  agentId: `c1/${node}`,
  bootId: 'b',
  seq,
  utilizationPct: 1,
  memoryUsedBytes: null,
  memoryTotalBytes: null,
  throttleReasons: [],
  eccCorrectedTotal: null,
  eccUncorrectedTotal: null,
  rowRemapPending: null,
  rowRemapFailure: null,
  retiredPagesPending: null,
  ...o,
});
const pod = (o: Partial<PodInterval>): PodInterval => ({
  podUid: 'uid-a',
  namespace: 'ml',
  pod: 'a',
  node: 'n1',
  startMs: T0,
  endMs: T0 + 15_000,
  gpuRequest: { kind: 'whole', count: 1 },
  labels: { tenant: 'acme' },
  owner: null,
  gpuUuids: [],
  ...o,
});
const pricing = { prices: createPriceLookup(loadPriceCatalog()), cost: DEFAULT_COST_CONFIG };

describe('store rows → device inputs', () => {
  it('binds a pod by its process in the same batch, or by the devices its allocation names (on its node only)', () => {
    const samples = [0, 1, 2, 3].flatMap((seq) => [sample('n1', 'GPU-1', seq), sample('n2', 'GPU-1', seq)]);
    const processPods = [{ agentId: 'c1/n1', bootId: 'b', seq: 3, gpuUuid: 'GPU-1', podUids: ['uid-b'] }];
    const pods = new Map([
      [
        'c1',
        [
          pod({ gpuUuids: ['GPU-1'] }),
          pod({ podUid: 'uid-b', pod: 'b', gpuRequest: { kind: 'fraction', milli: 500 } }),
        ],
      ],
    ]);
    const { devices, podDevices } = buildDeviceInputs(samples, processPods, pods, pricing);
    expect(devices.map((d) => [d.node, d.gpuUuid, d.samples.length])).toEqual([
      ['n1', 'GPU-1', 4],
      ['n2', 'GPU-1', 4],
    ]);
    // uid-a: its allocation covers seq 0 and 1 (T0 ≤ t < T0 + 15 s), on n1 only; uid-b: its process at seq 3
    expect(
      podDevices.map((p) => [p.node, p.podUid, p.samples.map((s) => s.tsMs - T0), p.share, p.usdPerHour, p.tenant]),
    ).toEqual([
      ['n1', 'uid-a', [0, 10_000], 1, 0.526, 'acme'],
      ['n1', 'uid-b', [30_000], 0.5, 0.263, 'acme'],
    ]);
  });

  it('a pod without lifecycle events keeps its uid and no price; an unknown GPU model gives no $', () => {
    const { podDevices } = buildDeviceInputs(
      [sample('n1', 'GPU-9', 0, { model: 'Quadro P2000' })],
      [{ agentId: 'c1/n1', bootId: 'b', seq: 0, gpuUuid: 'GPU-9', podUids: ['uid-z'] }],
      new Map([['c1', [pod({ podUid: 'uid-y', gpuUuids: ['GPU-9'] })]]]),
      pricing,
    );
    expect(podDevices.map((p) => [p.podUid, p.pod, p.tenant, p.share, p.usdPerHour])).toEqual([
      ['uid-z', 'uid-z', '__unallocated__', null, null],
      ['uid-y', 'a', 'acme', null, null],
    ]);
  });
});
