/**
 * Optional readings of a GPU sample beyond the core ones (utilization, memory, power, clocks, ECC):
 * the rest of dcgm-exporter's default counter set and their nvidia-smi counterparts. One table drives
 * the contract's schema, the ingest validators and packed batch, and the `gpu_samples` column each
 * lands in (migration 080), so a counter is added in one place. Every counter is nullable and may be
 * absent (a source that does not read it; batches of older agents).
 *
 * Value rules: `percent` 0..100; `nonNegative` ≥ 0; `count` an integer ≥ 0; `number` any finite.
 * docs/metrics.md lists each with its sources and the rules and reports that read it.
 */
import { z } from 'zod';
import { nonNegativeIntSchema, nonNegativeNumberSchema, PERCENT_MAX, percentSchema } from './fields.ts';

export const CounterRule = {
  percent: 'percent',
  nonNegative: 'nonNegative',
  count: 'count',
  number: 'number',
} as const;
export type CounterRule = (typeof CounterRule)[keyof typeof CounterRule];

interface CounterSpec {
  readonly rule: CounterRule;
  /** Its `gpu_samples` column (Nullable(Float64)). */
  readonly column: string;
}

const { percent, nonNegative, count, number } = CounterRule;

export const SAMPLE_COUNTERS = {
  /** DCGM PROF_SM_ACTIVE scaled to 0..100. DCGM only. */
  smActivePct: { rule: percent, column: 'sm_active_pct' },
  /** DCGM PROF_PIPE_TENSOR_ACTIVE scaled to 0..100. DCGM only. */
  tensorActivePct: { rule: percent, column: 'tensor_active_pct' },
  /** DCGM PROF_GR_ENGINE_ACTIVE scaled to 0..100 (on a MIG instance also its utilizationPct). DCGM only. */
  graphicsEngineActivePct: { rule: percent, column: 'gr_engine_active_pct' },
  /** DCGM PROF_DRAM_ACTIVE scaled to 0..100: the memory interface's busy share. DCGM only. */
  dramActivePct: { rule: percent, column: 'dram_active_pct' },
  /** DCGM PROF_PCIE_TX_BYTES / RX_BYTES: PCIe bytes per second, headers included. DCGM only. */
  pcieTxBytesPerSecond: { rule: nonNegative, column: 'pcie_tx_bytes_per_s' },
  pcieRxBytesPerSecond: { rule: nonNegative, column: 'pcie_rx_bytes_per_s' },
  /** Memory copy utilization (DCGM MEM_COPY_UTIL, nvidia-smi `utilization.memory`), 0..100. */
  memCopyUtilPct: { rule: percent, column: 'mem_copy_util_pct' },
  /** Encoder / decoder utilization, 0..100. */
  encoderUtilPct: { rule: percent, column: 'encoder_util_pct' },
  decoderUtilPct: { rule: percent, column: 'decoder_util_pct' },
  /** HBM temperature, °C (DCGM MEMORY_TEMP, nvidia-smi `memory_temp`). */
  memoryTemperatureC: { rule: number, column: 'memory_temperature_c' },
  /** Energy since the driver loaded, millijoules (DCGM TOTAL_ENERGY_CONSUMPTION, nvidia-smi `total_energy_consumption` in J × 1000). */
  energyMillijoules: { rule: nonNegative, column: 'energy_mj' },
  /** PCIe replays (retries) since the driver loaded. */
  pcieReplayTotal: { rule: count, column: 'pcie_replay_total' },
  /** NVLink bandwidth counter over all lanes (DCGM NVLINK_BANDWIDTH_TOTAL, a running total). */
  nvlinkBandwidthTotal: { rule: nonNegative, column: 'nvlink_bandwidth_total' },
  /** vGPU license status as DCGM reports it (VGPU_LICENSE_STATUS; 0 on bare metal). */
  vgpuLicenseStatus: { rule: count, column: 'vgpu_license_status' },
  /** Free framebuffer, bytes: kept on its own because some captures give FB_FREE without FB_USED. */
  memoryFreeBytes: { rule: count, column: 'memory_free_bytes' },
  /** Rows remapped after correctable / uncorrectable errors (A100 and later), counters. */
  remappedRowsCorrectable: { rule: count, column: 'remapped_rows_correctable' },
  remappedRowsUncorrectable: { rule: count, column: 'remapped_rows_uncorrectable' },
  /** 1 when a row remap waits for the next GPU reset (nvidia-smi `remapped_row_pending`), else 0. */
  rowRemapPending: { rule: count, column: 'row_remap_pending' },
  /** 1 when a row remap failed (DCGM ROW_REMAP_FAILURE, nvidia-smi `remapped_row_failure`): the GPU needs service. */
  rowRemapFailure: { rule: count, column: 'row_remap_failure' },
  /** Pages retired for single-bit / double-bit ECC errors, and whether a retirement is pending (pre-A100). */
  retiredPagesSingleBit: { rule: count, column: 'retired_pages_sbe' },
  retiredPagesDoubleBit: { rule: count, column: 'retired_pages_dbe' },
  retiredPagesPending: { rule: count, column: 'retired_pages_pending' },
} as const satisfies Record<string, CounterSpec>;

export type SampleCounter = keyof typeof SAMPLE_COUNTERS;
export const SAMPLE_COUNTER_KEYS = Object.keys(SAMPLE_COUNTERS) as SampleCounter[];
export type SampleCounterColumn = (typeof SAMPLE_COUNTERS)[SampleCounter]['column'];

/** A 0/1 counter (rowRemapPending, rowRemapFailure, retiredPagesPending) as a flag; null or absent: not reported. */
export const counterFlag = (v: number | null | undefined): boolean | null =>
  v === null || v === undefined ? null : v > 0;

/** Whether `v` is a valid value of a counter with `rule` (null is checked by the caller). */
export function counterValueOk(rule: CounterRule, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  switch (rule) {
    case CounterRule.percent:
      return v >= 0 && v <= PERCENT_MAX;
    case CounterRule.nonNegative:
      return v >= 0;
    case CounterRule.count:
      return v >= 0 && Number.isSafeInteger(v);
    case CounterRule.number:
      return true;
  }
}

const RULE_SCHEMAS: Record<CounterRule, z.ZodNumber> = {
  percent: percentSchema,
  nonNegative: nonNegativeNumberSchema,
  count: nonNegativeIntSchema,
  number: z.number(),
};

/** The counters as zod fields of a sample: each optional and nullable. */
export const sampleCounterFields = Object.fromEntries(
  SAMPLE_COUNTER_KEYS.map((k) => [k, RULE_SCHEMAS[SAMPLE_COUNTERS[k].rule].nullable().optional()]),
) as { readonly [K in SampleCounter]: z.ZodOptional<z.ZodNullable<z.ZodNumber>> };
