/**
 * Captured files → rule inputs (pure), for `gpu-ledger rules check`: what `gpu-ledger inspect`
 * parses (nvidia-smi XML/CSV, DCGM, kernel logs with Xid lines) and per-pod utilization series in
 * the gentd26 CSV shape. A capture with no time of its own (nvidia-smi, DCGM) is one snapshot at
 * the check's clock; Xid lines and series carry their own times. Xid lines name GPUs by PCI bus
 * id: a GPU of another file given with the same bus id lends its UUID.
 */
import { normalizePciBusId } from '../../collectors/agent.ts';
import type { DcgmPodBinding } from '../../collectors/dcgm/parse-dcgm.ts';
import type { XidEvent } from '../../collectors/collector.ts';
import type { InspectResult } from '../../collectors/inspect/inspect-capture.ts';
import type { GpuSample } from '../../contracts/gpu-sample-batch.ts';
import {
  EMPTY_RULE_INPUTS,
  toDeviceSample,
  type DeviceSample,
  type DeviceSeries,
  type PodDeviceSeries,
  type RuleInputs,
} from '../../pipeline/rules/rule-inputs.ts';

/** One parsed input file. */
export type CaptureInput =
  | { readonly kind: 'capture'; readonly file: string; readonly result: InspectResult }
  | {
      readonly kind: 'pod-series';
      readonly file: string;
      /** Series key (the pod) → [[timestampS, utilizationPct], …] ascending. */
      readonly series: ReadonlyMap<string, readonly (readonly [number, number])[]>;
    };

export interface CapturePricing {
  /** GPUs each series' pod holds (1 unless told). */
  readonly share: number;
  /** Price per GPU-hour of the series' GPUs; null: no $. */
  readonly usdPerGpuHour: number | null;
}

export function captureRuleInputs(inputs: readonly CaptureInput[], pricing: CapturePricing): RuleInputs {
  const devices = new Map<string, { series: DeviceSeries; samples: DeviceSample[] }>();
  const bindings: DcgmPodBinding[] = [];
  const xids: XidEvent[] = [];
  const podDevices: PodDeviceSeries[] = [];
  const uuidByBus = new Map<string, string>();
  for (const input of inputs) {
    if (input.kind === 'pod-series') {
      for (const [key, points] of input.series)
        podDevices.push({
          cluster: '',
          node: '',
          gpuUuid: '',
          podUid: key,
          namespace: '',
          pod: key,
          tenant: '',
          share: pricing.share,
          usdPerHour: pricing.usdPerGpuHour === null ? null : pricing.share * pricing.usdPerGpuHour,
          samples: points.map(([t, u]) => ({ tsMs: Math.round(t * 1000), utilizationPct: u })),
        });
      continue;
    }
    for (const r of input.result.records) {
      if (r.type === 'gpu-sample') {
        const s = r.value as GpuSample;
        if (s.pciBusId) uuidByBus.set(normalizePciBusId(s.pciBusId), s.gpuUuid);
        const d = devices.get(s.gpuUuid) ?? {
          series: {
            cluster: '',
            node: '',
            gpuUuid: s.gpuUuid,
            model: s.model,
            migProfile: s.mig?.profile ?? '',
            samples: [],
          },
          samples: [],
        };
        d.samples.push(toDeviceSample(s));
        devices.set(s.gpuUuid, d);
      } else if (r.type === 'dcgm-pod-binding') bindings.push(r.value as DcgmPodBinding);
      else if (r.type === 'xid-event') xids.push(r.value as XidEvent);
    }
  }
  const deviceSeries = [...devices.values()].map(({ series, samples }) => ({
    ...series,
    samples: samples.sort((a, b) => a.tsMs - b.tsMs).filter((s, i, all) => i === 0 || s.tsMs !== all[i - 1]!.tsMs),
  }));
  for (const b of bindings) {
    const device = deviceSeries.find((d) => d.gpuUuid === b.gpuUuid);
    if (device === undefined) continue;
    podDevices.push({
      cluster: '',
      node: b.hostname ?? '',
      gpuUuid: b.gpuUuid,
      podUid: b.podUid ?? `${b.namespace ?? ''}/${b.pod}`,
      namespace: b.namespace ?? '',
      pod: b.pod,
      tenant: '',
      share: null,
      usdPerHour: null,
      samples: device.samples.map((s) => ({ tsMs: s.tsMs, utilizationPct: s.utilizationPct })),
    });
  }
  return {
    ...EMPTY_RULE_INPUTS,
    devices: deviceSeries,
    podDevices,
    xids: xids.map((x) => ({
      cluster: '',
      node: '',
      gpuUuid: x.pciBusId === null ? '' : (uuidByBus.get(normalizePciBusId(x.pciBusId)) ?? x.pciBusId),
      tsMs: x.observedAtMs,
      xid: x.xid,
      message: x.message,
    })),
  };
}

/** Every distinct data timestamp of the inputs, ascending: the instants at which a condition can change. */
export function dataInstants(inputs: RuleInputs): number[] {
  const times = new Set<number>();
  for (const d of inputs.devices) for (const s of d.samples) times.add(s.tsMs);
  for (const p of inputs.podDevices) for (const s of p.samples) times.add(s.tsMs);
  for (const x of inputs.xids) times.add(x.tsMs);
  return [...times].sort((a, b) => a - b);
}
