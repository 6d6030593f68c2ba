import { ThrottleReason, type GpuProcess, type GpuSample } from '../../contracts/index.ts';
import { quantity } from './nvidia-smi-values.ts';

/**
 * The `--query-gpu` fields the agent asks for on its fast path. Every name is accepted by old
 * (410-era) and current (590) drivers; an unknown field makes nvidia-smi reject the whole query.
 * `clocks_throttle_reasons.active` is the alias that both generations resolve (newer drivers lead
 * with `clocks_event_reasons.active` and list the throttle spelling beside it).
 */
export const NVIDIA_SMI_CSV_GPU_FIELDS = [
  'uuid',
  'name',
  'index',
  'pci.bus_id',
  'driver_version',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'power.draw',
  'power.limit',
  'temperature.gpu',
  'clocks.current.sm',
  'clocks.current.memory',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'clocks_throttle_reasons.active',
] as const;

/** The `--query-compute-apps` fields; the free-text process name goes last (see splitRow). */
export const NVIDIA_SMI_CSV_APP_FIELDS = ['pid', 'used_gpu_memory', 'gpu_uuid', 'process_name'] as const;

interface Column {
  readonly name: string;
  /** The unit in the header's brackets (`memory.used [MiB]`); values may omit it (`nounits`). */
  readonly unit: string | null;
}
type Row = ReadonlyMap<string, { readonly raw: string; readonly unit: string | null }>;

/*
 * Hand-split on purpose. nvidia-smi's CSV is not RFC 4180: it never quotes, separates with ", " and
 * prints free text (Windows process paths) raw, so a general CSV library (csv-parse with
 * `delimiter: ', ', quote: false, relax_column_count: true`) would reduce to this same split and still
 * need the overflow rule below. Headers are matched by name, never by position.
 */
function splitRow(line: string, columns: readonly Column[], freeText: string | null): string[] | string {
  const cells = line.split(', ').map((c) => c.trim());
  const extra = cells.length - columns.length;
  const at = freeText === null ? -1 : columns.findIndex((c) => c.name === freeText);
  if (extra > 0 && at >= 0)
    return [...cells.slice(0, at), cells.slice(at, at + extra + 1).join(', '), ...cells.slice(at + extra + 1)];
  if (extra !== 0) return `${cells.length} values for ${columns.length} columns`;
  return cells;
}

function readTable(csv: string, freeText: string | null): { rows: Row[]; errors: string[] } {
  const lines = csv
    .split(/\r?\n/)
    .map((l, i) => ({ text: l.trim(), n: i + 1 }))
    .filter((l) => l.text !== '');
  const [header, ...body] = lines;
  const columns = header?.text.split(', ').map((h) => /^([A-Za-z0-9_.]+)(?: \[([^\]]+)\])?$/.exec(h.trim()));
  if (!header || !columns || columns.some((c) => c === null)) {
    throw new Error('not nvidia-smi --format=csv output: the first line is not a header of query field names');
  }
  const cols = columns.map((m) => ({
    name: (m as RegExpExecArray)[1] as string,
    unit: (m as RegExpExecArray)[2] ?? null,
  }));
  const rows: Row[] = [];
  const errors: string[] = [];
  for (const line of body) {
    const cells = splitRow(line.text, cols, freeText);
    if (typeof cells === 'string') errors.push(`line ${line.n}: ${cells}`);
    else rows.push(new Map(cols.map((c, i) => [c.name, { raw: cells[i] ?? '', unit: c.unit }])));
  }
  return { rows, errors };
}

/** `45 %`, `8192 MiB`, bare `8192` under a `[MiB]` header → number (bytes for memory); `[N/A]`, `[Not Supported]` → null. */
function numberOf(row: Row, ...names: string[]): number | null {
  for (const name of names) {
    const cell = row.get(name);
    if (!cell || cell.raw.startsWith('[') || cell.raw === 'N/A') continue;
    const bare = /^-?\d+(\.\d+)?$/.test(cell.raw);
    const value = quantity(bare && cell.unit ? `${cell.raw} ${cell.unit}` : cell.raw);
    if (value !== null) return value;
  }
  return null;
}

const textOf = (row: Row, name: string): string | null => {
  const raw = row.get(name)?.raw;
  return raw === undefined || raw === '' || raw.startsWith('[') || raw === 'N/A' ? null : raw;
};
const intOf = (row: Row, ...names: string[]): number | null => {
  const n = numberOf(row, ...names);
  return n === null ? null : Math.round(n);
};
const nonNegative = (n: number | null): number | null => (n === null || n < 0 ? null : n);

/** NVML `nvmlClocksEventReason*` bits, in the names the contract uses. */
const THROTTLE_BITS: readonly (readonly [number, string])[] = [
  [0x1, ThrottleReason.gpuIdle],
  [0x2, ThrottleReason.applicationsClocksSetting],
  [0x4, ThrottleReason.swPowerCap],
  [0x8, ThrottleReason.hwSlowdown],
  [0x10, ThrottleReason.syncBoost],
  [0x20, ThrottleReason.swThermalSlowdown],
  [0x40, ThrottleReason.hwThermalSlowdown],
  [0x80, ThrottleReason.hwPowerBrakeSlowdown],
  [0x100, ThrottleReason.displayClocksSetting],
];

function throttleReasons(row: Row): string[] {
  const mask = textOf(row, 'clocks_event_reasons.active') ?? textOf(row, 'clocks_throttle_reasons.active');
  if (mask === null || !/^0x[0-9a-f]+$/i.test(mask)) return [];
  const bits = Number.parseInt(mask.slice(-8), 16); // all known reasons sit in the low 32 bits
  return THROTTLE_BITS.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
}

function toSample(row: Row, i: number, observedAtMs: number): GpuSample {
  const uuid = textOf(row, 'uuid');
  if (uuid === null || !uuid.startsWith('GPU-'))
    throw new Error(`gpu row #${i}: missing or malformed uuid (${row.get('uuid')?.raw ?? 'no uuid column'})`);
  const util = numberOf(row, 'utilization.gpu');
  return {
    kind: 'gpu',
    gpuUuid: uuid,
    parentGpuUuid: null,
    mig: null,
    index: nonNegative(intOf(row, 'index')) ?? i,
    pciBusId: textOf(row, 'pci.bus_id'),
    model: textOf(row, 'name') ?? 'unknown',
    driverVersion: textOf(row, 'driver_version'),
    observedAtMs,
    utilizationPct: percent(util),
    memoryUsedBytes: nonNegative(intOf(row, 'memory.used')),
    memoryTotalBytes: nonNegative(intOf(row, 'memory.total')),
    powerWatts: nonNegative(numberOf(row, 'power.draw', 'power.draw.instant', 'power.draw.average')),
    powerLimitWatts: nonNegative(numberOf(row, 'power.limit', 'enforced.power.limit')),
    temperatureC: numberOf(row, 'temperature.gpu'),
    smClockMhz: nonNegative(numberOf(row, 'clocks.current.sm', 'clocks.sm')),
    memClockMhz: nonNegative(numberOf(row, 'clocks.current.memory', 'clocks.mem')),
    throttleReasons: throttleReasons(row),
    eccCorrectedTotal: nonNegative(intOf(row, 'ecc.errors.corrected.volatile.total')),
    eccUncorrectedTotal: nonNegative(intOf(row, 'ecc.errors.uncorrected.volatile.total')),
    // Optional counters (contracts/sample-counters.ts), where the query asked for them.
    memCopyUtilPct: percent(numberOf(row, 'utilization.memory')),
    encoderUtilPct: percent(numberOf(row, 'utilization.encoder')),
    decoderUtilPct: percent(numberOf(row, 'utilization.decoder')),
    memoryTemperatureC: numberOf(row, 'temperature.memory'),
    memoryFreeBytes: nonNegative(intOf(row, 'memory.free')),
    remappedRowsCorrectable: nonNegative(intOf(row, 'remapped_rows.correctable')),
    remappedRowsUncorrectable: nonNegative(intOf(row, 'remapped_rows.uncorrectable')),
    rowRemapPending: yesNoOf(row, 'remapped_rows.pending'),
    rowRemapFailure: yesNoOf(row, 'remapped_rows.failure'),
    retiredPagesSingleBit: nonNegative(intOf(row, 'retired_pages.single_bit_ecc.count', 'retired_pages.sbe')),
    retiredPagesDoubleBit: nonNegative(intOf(row, 'retired_pages.double_bit.count', 'retired_pages.dbe')),
    retiredPagesPending: yesNoOf(row, 'retired_pages.pending'),
  };
}

const percent = (v: number | null): number | null => (v === null ? null : Math.min(100, Math.max(0, v)));
const yesNoOf = (row: Row, name: string): number | null => {
  const v = textOf(row, name);
  return v === 'Yes' ? 1 : v === 'No' ? 0 : null;
};

/**
 * Parses `nvidia-smi --query-gpu=<fields> --format=csv` (with or without `nounits`). One GPU per
 * row; a row without a usable UUID is an error entry and the other rows are kept. MIG instances
 * are not listed by this query (use the XML or DCGM). The row `timestamp` is host-local time
 * without a zone, so the sampling time is passed in. Throws only when there is no header line.
 */
export function parseNvidiaSmiGpuCsv(csv: string, observedAtMs: number): { samples: GpuSample[]; errors: string[] } {
  const { rows, errors } = readTable(csv, 'name');
  const samples: GpuSample[] = [];
  rows.forEach((row, i) => {
    try {
      samples.push(toSample(row, i, observedAtMs));
    } catch (error) {
      errors.push((error as Error).message);
    }
  });
  return { samples, errors };
}

/** Parses `nvidia-smi --query-compute-apps=<fields> --format=csv`: one GPU process per row. */
export function parseNvidiaSmiAppsCsv(csv: string): { processes: GpuProcess[]; errors: string[] } {
  const { rows, errors } = readTable(csv, 'process_name');
  const processes: GpuProcess[] = [];
  rows.forEach((row, i) => {
    const pid = intOf(row, 'pid');
    const gpuUuid = textOf(row, 'gpu_uuid');
    if (pid === null || pid < 1)
      return void errors.push(
        `process row #${i}: pid is not a positive number (${row.get('pid')?.raw ?? 'no pid column'})`,
      );
    if (gpuUuid === null || !/^(GPU|MIG)-/.test(gpuUuid))
      return void errors.push(`process row #${i} (pid ${pid}): missing or malformed gpu_uuid`);
    processes.push({
      gpuUuid,
      pid,
      processName: textOf(row, 'process_name') ?? '',
      usedMemoryBytes: nonNegative(intOf(row, 'used_gpu_memory')),
      podUid: null,
      containerId: null,
    });
  });
  return { processes, errors };
}
