import { migInstanceUuid } from '../mig-identity.ts';
import type { GpuSample } from '../../contracts/index.ts';
import { readPromText, type PromSample } from '../inference/prometheus-text.ts';
import { DCGM_METRICS, DcgmScope, dcgmLabel, isDcgmBlank, type DcgmValue } from './dcgm-fields.ts';

/** A pod the exporter (in Kubernetes mode) says holds a GPU or one MIG GPU instance of it. */
export interface DcgmPodBinding {
  readonly gpuUuid: string;
  /** Null for a whole GPU. */
  readonly gpuInstanceId: number | null;
  readonly namespace: string | null;
  readonly pod: string;
  readonly container: string | null;
  /** The opt-in `pod_uid` label; null when absent or empty. */
  readonly podUid: string | null;
  /** The exporter's node (`Hostname`), to check it is the agent's. */
  readonly hostname: string | null;
}

export interface DcgmScrape {
  /** One `gpu` sample per GPU UUID, plus one `mig` sample per (UUID, GPU_I_ID). */
  readonly samples: GpuSample[];
  readonly podBindings: DcgmPodBinding[];
  /** DCGM_FI_DEV_XID_ERRORS per GPU UUID: the LAST Xid seen (0 = none), not a count. */
  readonly lastXidByGpu: Readonly<Record<string, number>>;
  readonly errors: string[];
}

interface Entity {
  readonly uuid: string;
  readonly gi: number | null;
  readonly first: PromSample;
  readonly values: Partial<Record<DcgmValue, number>>;
}

const MiB = 1024 * 1024;
// Rounded to 1e-4 % so that 0.156205 reads 15.6205, not 15.620500000000002.
const pct = (ratio: number | undefined): number | null =>
  ratio === undefined ? null : Math.min(100, Math.max(0, Math.round(ratio * 1e6) / 1e4));
const nonNeg = (v: number | undefined): number | null => (v === undefined || v < 0 ? null : v);
const bytes = (mib: number | undefined): number | null => (mib === undefined || mib < 0 ? null : Math.round(mib * MiB));
const int = (v: number | undefined): number | null =>
  v === undefined || !Number.isFinite(v) || v < 0 ? null : Math.round(v);
const percent = (v: number | undefined): number | null => (v === undefined ? null : Math.min(100, Math.max(0, v)));
const finite = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

function toSample(e: Entity, parentOf: (uuid: string) => Entity | undefined, observedAtMs: number): GpuSample {
  const v = e.values;
  const labels = e.first.labels;
  const used = bytes(v.fbUsedMiB);
  const free = bytes(v.fbFreeMiB);
  const common = {
    // The exporter's `gpu` label is the NVML index; informative only (absent: 0).
    index: int(Number(dcgmLabel(labels, 'gpu') ?? Number.NaN)) ?? 0,
    model: dcgmLabel(labels, 'model') ?? 'unknown',
    driverVersion: dcgmLabel(labels, 'driver'),
    pciBusId: dcgmLabel(labels, 'pciBusId'),
    observedAtMs,
    memoryUsedBytes: used,
    // used + free + reserved is the framebuffer total (FB_RESERVED is absent before exporter 3.x).
    memoryTotalBytes: used !== null && free !== null ? used + free + (bytes(v.fbReservedMiB) ?? 0) : null,
    graphicsEngineActivePct: pct(v.grEngineActiveRatio),
    smActivePct: pct(v.smActiveRatio),
    tensorActivePct: pct(v.tensorActiveRatio),
    dramActivePct: pct(v.dramActiveRatio),
    pcieTxBytesPerSecond: nonNeg(v.pcieTxBytesPerSecond),
    pcieRxBytesPerSecond: nonNeg(v.pcieRxBytesPerSecond),
    // Kept on its own: a capture with FB_FREE but no FB_USED has no total, only this.
    memoryFreeBytes: free,
    throttleReasons: [],
  };
  // Device-wide counters: on the GPU sample (a MIG instance's are its parent's, not repeated).
  const device = {
    memCopyUtilPct: percent(v.memCopyUtilPct),
    encoderUtilPct: percent(v.encoderUtilPct),
    decoderUtilPct: percent(v.decoderUtilPct),
    memoryTemperatureC: finite(v.memoryTemperatureC),
    energyMillijoules: nonNeg(v.energyMillijoules),
    pcieReplayTotal: int(v.pcieReplayTotal),
    nvlinkBandwidthTotal: nonNeg(v.nvlinkBandwidthTotal),
    vgpuLicenseStatus: int(v.vgpuLicenseStatus),
    remappedRowsCorrectable: int(v.remappedRowsCorrectable),
    remappedRowsUncorrectable: int(v.remappedRowsUncorrectable),
    rowRemapFailure: int(v.rowRemapFailure),
  };
  if (e.gi === null) {
    return {
      ...common,
      kind: 'gpu',
      gpuUuid: e.uuid,
      parentGpuUuid: null,
      mig: null,
      utilizationPct: percent(v.utilizationPct),
      powerWatts: nonNeg(v.powerWatts),
      powerLimitWatts: nonNeg(v.powerLimitWatts),
      temperatureC: v.temperatureC ?? null,
      smClockMhz: nonNeg(v.smClockMhz),
      memClockMhz: nonNeg(v.memClockMhz),
      eccCorrectedTotal: int(v.eccSbeVolatile),
      eccUncorrectedTotal: int(v.eccDbeVolatile),
      ...device,
    };
  }
  const parent = parentOf(e.uuid)?.values ?? {};
  return {
    ...common,
    kind: 'mig',
    // DCGM names GPU instances by (parent UUID, GPU_I_ID), never by MIG UUID; one compute instance per GI.
    gpuUuid: migInstanceUuid(e.uuid, e.gi, null),
    parentGpuUuid: e.uuid,
    mig: { gpuInstanceId: e.gi, computeInstanceId: null, profile: dcgmLabel(labels, 'gpuInstanceProfile') },
    // No GPU_UTIL per GPU instance: its engine activity is the instance's utilization (the contract's rule).
    utilizationPct: common.graphicsEngineActivePct,
    powerWatts: null,
    powerLimitWatts: null,
    eccCorrectedTotal: null,
    eccUncorrectedTotal: null,
    // Clocks and temperature are device-wide; repeated on the instance for convenience, like nvidia-smi.
    temperatureC: parent.temperatureC ?? null,
    smClockMhz: nonNeg(parent.smClockMhz),
    memClockMhz: nonNeg(parent.memClockMhz),
  };
}

/**
 * Parses one dcgm-exporter scrape (current and 1.x metric and label names) into GPU and MIG samples,
 * the pod bindings the exporter attached, and the last Xid per GPU. Lenient: a bad line, a series
 * without a UUID or a DCGM blank sentinel drops that value only (errors say which family lost what;
 * sentinels are "not supported" and are silently null). Units: MiB → bytes, ratios → percent.
 */
export function parseDcgmMetrics(text: string, observedAtMs: number): DcgmScrape {
  const read = readPromText(text, { wanted: (name) => DCGM_METRICS.has(name) });
  const errors = [...read.errors];
  const entities = new Map<string, Entity>();
  const bindings = new Map<string, DcgmPodBinding>();
  const noUuid = new Map<string, number>();
  const entity = (uuid: string, gi: number | null, s: PromSample): Entity => {
    const key = gi === null ? uuid : `${uuid}/${gi}`;
    const found = entities.get(key) ?? { uuid, gi, first: s, values: {} };
    entities.set(key, found);
    return found;
  };
  for (const s of read.samples) {
    const field = DCGM_METRICS.get(s.name);
    const uuid = dcgmLabel(s.labels, 'uuid');
    if (!field) continue;
    if (!uuid?.startsWith('GPU-')) {
      noUuid.set(s.name, (noUuid.get(s.name) ?? 0) + 1);
      continue;
    }
    const giText = dcgmLabel(s.labels, 'gpuInstanceId');
    const gi = giText !== null && /^\d+$/.test(giText) ? Number(giText) : null;
    const parent = entity(uuid, null, s);
    const mig = gi === null ? null : entity(uuid, gi, s);
    const target = field.scope === DcgmScope.instance && mig ? mig : parent;
    if (Number.isFinite(s.value) && !isDcgmBlank(s.value)) target.values[field.value] ??= s.value;
    const pod = dcgmLabel(s.labels, 'pod');
    if (pod !== null) {
      const b = {
        gpuUuid: uuid,
        gpuInstanceId: gi,
        namespace: dcgmLabel(s.labels, 'namespace'),
        pod,
        container: dcgmLabel(s.labels, 'container'),
        podUid: dcgmLabel(s.labels, 'podUid'),
        hostname: dcgmLabel(s.labels, 'hostname'),
      };
      bindings.set(JSON.stringify([b.gpuUuid, b.gpuInstanceId, b.namespace, b.pod, b.container]), b);
    }
  }
  for (const [name, count] of noUuid)
    errors.push(`${name}: ${count} sample${count === 1 ? '' : 's'} without a GPU- UUID label dropped`);
  const all = [...entities.values()];
  const samples = all.map((e) => toSample(e, (uuid) => entities.get(uuid), observedAtMs));
  const lastXidByGpu = Object.fromEntries(
    all.flatMap((e) => (e.gi === null && e.values.lastXid !== undefined ? [[e.uuid, e.values.lastXid]] : [])),
  );
  return { samples, podBindings: [...bindings.values()], lastXidByGpu, errors };
}
