import { XMLParser } from 'fast-xml-parser';
import type { GpuProcess, GpuSample } from '../../contracts/index.ts';
import { migInstanceUuid } from '../mig-identity.ts';
import { at, firstQuantity, integer, list, quantity, text, yesNo } from './nvidia-smi-values.ts';

/** What one `nvidia-smi -q -x` document yields. One bad `<gpu>` is an error entry, not a failure. */
export interface NvidiaSmiXmlResult {
  readonly driverVersion: string | null;
  /** `<attached_gpus>` as printed; may exceed the `<gpu>` elements present (trimmed outputs). */
  readonly attachedGpus: number | null;
  readonly samples: GpuSample[];
  readonly processes: GpuProcess[];
  readonly errors: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

/** Sums the ECC counters of one kind across DTD versions (v9–v11 single/double_bit totals, v12+ sram/dram). */
function eccTotal(gpu: unknown, kind: 'corrected' | 'uncorrected'): number | null {
  const aggregate = at(gpu, 'ecc_errors', 'aggregate');
  if (!aggregate || typeof aggregate !== 'object') return null;
  const legacy = integer(at(aggregate, kind === 'corrected' ? 'single_bit' : 'double_bit', 'total'));
  if (legacy !== null) return legacy;
  let total: number | null = null;
  for (const [name, value] of Object.entries(aggregate as Record<string, unknown>)) {
    const isUncorrectable = name.includes('uncorrectable');
    const isCorrectable = !isUncorrectable && name.includes('correctable');
    if ((kind === 'corrected' && isCorrectable) || (kind === 'uncorrected' && isUncorrectable)) {
      const n = integer(value);
      if (n !== null) total = (total ?? 0) + n;
    }
  }
  return total;
}

/** Names of active clock throttle ("event") reasons, e.g. ['sw_power_cap', 'hw_thermal_slowdown']. */
function throttleReasons(gpu: unknown): string[] {
  const block = at(gpu, 'clocks_event_reasons') ?? at(gpu, 'clocks_throttle_reasons');
  if (!block || typeof block !== 'object') return [];
  return Object.entries(block as Record<string, unknown>)
    .filter(([, v]) => text(v) === 'Active')
    .map(([k]) => k.replace(/^clocks_(event|throttle)_reason_/, ''));
}

/**
 * The device's optional counters (contracts/sample-counters.ts) that nvidia-smi -q prints: memory copy,
 * encoder and decoder utilization, HBM temperature, PCIe replays, remapped rows (A100 and later) and
 * retired pages (earlier GPUs with ECC). `N/A` or an absent element is null.
 */
function deviceCounters(gpu: unknown) {
  const rows = at(gpu, 'remapped_rows');
  const pages = at(gpu, 'retired_pages');
  return {
    memCopyUtilPct: quantity(at(gpu, 'utilization', 'memory_util')),
    encoderUtilPct: quantity(at(gpu, 'utilization', 'encoder_util')),
    decoderUtilPct: quantity(at(gpu, 'utilization', 'decoder_util')),
    memoryTemperatureC: quantity(at(gpu, 'temperature', 'memory_temp')),
    pcieReplayTotal: integer(at(gpu, 'pci', 'replay_counter')),
    memoryFreeBytes: integer(at(gpu, 'fb_memory_usage', 'free')),
    remappedRowsCorrectable: integer(at(rows, 'remapped_row_corr')),
    remappedRowsUncorrectable: integer(at(rows, 'remapped_row_unc')),
    rowRemapPending: yesNo(at(rows, 'remapped_row_pending')),
    rowRemapFailure: yesNo(at(rows, 'remapped_row_failure')),
    retiredPagesSingleBit: integer(at(pages, 'multiple_single_bit_retirement', 'retired_count')),
    retiredPagesDoubleBit: integer(at(pages, 'double_bit_retirement', 'retired_count')),
    retiredPagesPending: yesNo(at(pages, 'pending_retirement')),
  };
}

function parseGpu(gpu: unknown, index: number, driverVersion: string | null, observedAtMs: number) {
  const uuid = text(at(gpu, 'uuid'));
  if (!uuid || !uuid.startsWith('GPU-'))
    throw new Error(`gpu #${index}: missing or malformed <uuid> (${uuid ?? 'absent'})`);
  const model = text(at(gpu, 'product_name')) ?? 'unknown';
  const power = at(gpu, 'gpu_power_readings') ?? at(gpu, 'power_readings');
  const base = {
    index: integer(at(gpu, 'minor_number')) ?? index,
    pciBusId: text(at(gpu, 'pci', 'pci_bus_id')) ?? text(at(gpu, '@id')),
    model,
    driverVersion,
    observedAtMs,
    powerWatts: firstQuantity(power, [['power_draw'], ['instant_power_draw'], ['average_power_draw']]),
    powerLimitWatts: firstQuantity(power, [['current_power_limit'], ['enforced_power_limit'], ['power_limit']]),
    temperatureC: quantity(at(gpu, 'temperature', 'gpu_temp')),
    smClockMhz: quantity(at(gpu, 'clocks', 'sm_clock')),
    memClockMhz: quantity(at(gpu, 'clocks', 'mem_clock')),
    throttleReasons: throttleReasons(gpu),
  };
  const samples: GpuSample[] = [
    {
      ...base,
      kind: 'gpu',
      gpuUuid: uuid,
      parentGpuUuid: null,
      utilizationPct: quantity(at(gpu, 'utilization', 'gpu_util')),
      memoryUsedBytes: integer(at(gpu, 'fb_memory_usage', 'used')),
      memoryTotalBytes: integer(at(gpu, 'fb_memory_usage', 'total')),
      eccCorrectedTotal: eccTotal(gpu, 'corrected'),
      eccUncorrectedTotal: eccTotal(gpu, 'uncorrected'),
      mig: null,
      ...deviceCounters(gpu),
    },
  ];
  for (const mig of list(at(gpu, 'mig_devices', 'mig_device'))) {
    const gi = integer(at(mig, 'gpu_instance_id'));
    if (gi === null) continue;
    const ci = integer(at(mig, 'compute_instance_id'));
    samples.push({
      ...base,
      kind: 'mig',
      gpuUuid: text(at(mig, 'uuid')) ?? migInstanceUuid(uuid, gi, ci),
      parentGpuUuid: uuid,
      index: integer(at(mig, 'index')) ?? 0,
      utilizationPct: null,
      memoryUsedBytes: integer(at(mig, 'fb_memory_usage', 'used')),
      memoryTotalBytes: integer(at(mig, 'fb_memory_usage', 'total')),
      memoryFreeBytes: integer(at(mig, 'fb_memory_usage', 'free')),
      eccCorrectedTotal: null,
      eccUncorrectedTotal: null,
      powerWatts: null,
      powerLimitWatts: null,
      mig: { gpuInstanceId: gi, computeInstanceId: ci, profile: text(at(mig, 'profile')) },
    });
  }
  const processes: GpuProcess[] = list(at(gpu, 'processes', 'process_info')).flatMap((p) => {
    const pid = integer(at(p, 'pid'));
    if (pid === null || pid <= 0) return [];
    return [
      {
        gpuUuid: uuid,
        gpuInstanceId: integer(at(p, 'gpu_instance_id')),
        computeInstanceId: integer(at(p, 'compute_instance_id')),
        pid,
        processName: text(at(p, 'process_name')) ?? '',
        usedMemoryBytes: integer(at(p, 'used_memory')),
        podUid: null,
        containerId: null,
      },
    ];
  });
  return { samples, processes };
}

/**
 * Parses `nvidia-smi -q -x` output (DTD v9 to v13). Pure: the sampling time is passed in.
 * Throws only when the document is not an nvidia_smi_log at all.
 */
export function parseNvidiaSmiXml(xml: string, observedAtMs: number): NvidiaSmiXmlResult {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (error) {
    throw new Error(`nvidia-smi XML is not well-formed: ${(error as Error).message}`);
  }
  const log = at(doc, 'nvidia_smi_log');
  if (!log || typeof log !== 'object') throw new Error('not an nvidia-smi XML document: no <nvidia_smi_log> root');
  const driverVersion = text(at(log, 'driver_version'));
  const result: NvidiaSmiXmlResult = {
    driverVersion,
    attachedGpus: integer(at(log, 'attached_gpus')),
    samples: [],
    processes: [],
    errors: [],
  };
  list(at(log, 'gpu')).forEach((gpu, i) => {
    try {
      const { samples, processes } = parseGpu(gpu, i, driverVersion, observedAtMs);
      result.samples.push(...samples);
      result.processes.push(...processes);
    } catch (error) {
      result.errors.push((error as Error).message);
    }
  });
  return result;
}
