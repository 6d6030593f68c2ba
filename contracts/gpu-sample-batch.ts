import { sampleCounterFields } from './sample-counters.ts';
import { z } from 'zod';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import {
  deviceUuidSchema,
  epochMsSchema,
  gpuUuidSchema,
  migProfileSchema,
  nonEmptyStringSchema,
  nonNegativeIntSchema,
  uint32Schema,
  nonNegativeNumberSchema,
  percentSchema,
  schemaVersion1Schema,
} from './fields.ts';

/** Which tool produced a batch's samples. */
export const GpuSampleSource = {
  nvidiaSmiXml: 'nvidia-smi-xml',
  nvidiaSmiCsv: 'nvidia-smi-csv',
  dcgm: 'dcgm',
} as const;
export type GpuSampleSource = (typeof GpuSampleSource)[keyof typeof GpuSampleSource];

/** Whether a sample describes a whole GPU or one MIG instance of it. */
export const GpuSampleKind = { gpu: 'gpu', mig: 'mig' } as const;
export type GpuSampleKind = (typeof GpuSampleKind)[keyof typeof GpuSampleKind];

/**
 * Clock event ("throttle") reason names as nvidia-smi prints them without the
 * `clocks_event_reason_` / `clocks_throttle_reason_` prefix. Producers should use these names;
 * the decoder accepts any non-empty string so that reasons added by newer drivers pass.
 */
export const ThrottleReason = {
  gpuIdle: 'gpu_idle',
  applicationsClocksSetting: 'applications_clocks_setting',
  swPowerCap: 'sw_power_cap',
  hwSlowdown: 'hw_slowdown',
  hwThermalSlowdown: 'hw_thermal_slowdown',
  hwPowerBrakeSlowdown: 'hw_power_brake_slowdown',
  syncBoost: 'sync_boost',
  swThermalSlowdown: 'sw_thermal_slowdown',
  displayClocksSetting: 'display_clocks_setting',
} as const;
export type ThrottleReason = (typeof ThrottleReason)[keyof typeof ThrottleReason];

/** Which MIG instance a `kind: 'mig'` sample describes. */
export const MigInstanceSchema = z
  .object({
    /** GPU instance id (nvidia-smi `gpu_instance_id`, DCGM label `GPU_I_ID`). */
    gpuInstanceId: uint32Schema,
    /** Compute instance id, null when the source does not say (DCGM series are per GPU instance). */
    computeInstanceId: uint32Schema.nullable(),
    /** Profile name (`1g.10gb`); null when the source does not name it (`nvidia-smi -q -x` does not). */
    profile: migProfileSchema.nullable(),
  })
  .readonly();
export type MigInstance = z.infer<typeof MigInstanceSchema>;

const nullableNumber = z.number().nullable();
const nullableNonNegativeNumber = nonNegativeNumberSchema.nullable();
const nullableNonNegativeInt = nonNegativeIntSchema.nullable();

/** Fields common to whole-GPU and MIG samples. */
const sampleFields = {
  /** Index as the tool printed it: informative only, indices change across reboots. */
  index: uint32Schema,
  /** Product name as printed, e.g. `NVIDIA A100-SXM4-80GB` (old drivers may say `Graphics Device`). */
  model: nonEmptyStringSchema,
  driverVersion: nonEmptyStringSchema.nullable(),
  /** When this GPU was read (host clock), UTC epoch ms. */
  observedAtMs: epochMsSchema,
  /**
   * NVML/DCGM GPU_UTIL, 0..100: the share of time a kernel ran. MIG instances have no GPU_UTIL; from
   * DCGM their utilization is PROF_GR_ENGINE_ACTIVE (the share of time the instance's engine was
   * busy, what NVIDIA recommends there), from nvidia-smi null. Null also for `N/A` on old cards.
   */
  utilizationPct: percentSchema.nullable(),
  memoryUsedBytes: nullableNonNegativeInt,
  memoryTotalBytes: nullableNonNegativeInt,
  powerWatts: nullableNonNegativeNumber,
  powerLimitWatts: nullableNonNegativeNumber,
  temperatureC: nullableNumber,
  smClockMhz: nullableNonNegativeNumber,
  memClockMhz: nullableNonNegativeNumber,
  /** Names of the clock event reasons active at sampling time (see ThrottleReason); empty when none. */
  throttleReasons: z.array(nonEmptyStringSchema).readonly(),
  /** ECC error counters since driver load (volatile totals), null when ECC is off or not reported. */
  eccCorrectedTotal: nullableNonNegativeInt,
  eccUncorrectedTotal: nullableNonNegativeInt,
  /** Xid codes seen on this GPU since the agent's previous batch, in order. Absent: not collected. */
  xidErrors: z.array(uint32Schema).readonly().optional(),
  /** PCI bus id as nvidia-smi prints it (`00000000:3B:00.0`); joins kernel-log Xid lines to the GPU. */
  pciBusId: z.string().min(1).nullable().optional(),
  /** Optional counters (DCP profiling, energy, PCIe, remapped rows, …): contracts/sample-counters.ts. */
  ...sampleCounterFields,
};

const wholeGpuSampleSchema = z.object({
  kind: z.literal(GpuSampleKind.gpu),
  gpuUuid: gpuUuidSchema,
  parentGpuUuid: z.null(),
  mig: z.null(),
  ...sampleFields,
});

const migSampleSchema = z.object({
  kind: z.literal(GpuSampleKind.mig),
  /** The MIG device UUID (`MIG-…`) when known, else the parent's `GPU-…` UUID. */
  gpuUuid: deviceUuidSchema,
  parentGpuUuid: gpuUuidSchema,
  mig: MigInstanceSchema,
  ...sampleFields,
});

/**
 * One reading of one whole GPU (`kind: 'gpu'`) or one MIG instance (`kind: 'mig'`).
 *
 * Identity: a GPU is its UUID, never its index. A MIG instance is
 * `(parentGpuUuid, mig.gpuInstanceId, mig.computeInstanceId)`; `gpuUuid` is its `MIG-…` UUID when the
 * source gives one, else the parent's UUID (so never key MIG samples by `gpuUuid` alone).
 * A MIG-enabled GPU may appear both as a `gpu` sample (power, temperature, clocks, ECC) and as
 * `mig` samples (memory, activity, utilization); whole-GPU utilization is then null.
 *
 * Units: percentages 0..100, bytes, watts, degrees Celsius, MHz, counts. `null` means the source
 * did not report the value (`N/A`, `[Not Supported]`, DCGM blank sentinels); never 0 as a stand-in.
 */
export const GpuSampleSchema = z.discriminatedUnion('kind', [wholeGpuSampleSchema, migSampleSchema]).readonly();
export type GpuSample = z.infer<typeof GpuSampleSchema>;
/** A `kind: 'gpu'` sample. */
export type WholeGpuSample = Extract<GpuSample, { readonly kind: 'gpu' }>;
/** A `kind: 'mig'` sample. */
export type MigSample = Extract<GpuSample, { readonly kind: 'mig' }>;

/**
 * A GPU process and the pod it belongs to, as the agent observed it at `collectedAtMs` of its batch.
 * `podUid` and `containerId` come from `/proc/<pid>/cgroup`; null when the process is not in a
 * pod (host process) or the cgroup path could not be read.
 */
export const GpuProcessSchema = z
  .object({
    /** The GPU the process runs on. nvidia-smi reports the parent `GPU-…` UUID even for MIG. */
    gpuUuid: deviceUuidSchema,
    /** MIG instance of the process (nvidia-smi XML `process_info`); absent or null when not MIG or unknown. */
    gpuInstanceId: uint32Schema.nullable().optional(),
    computeInstanceId: uint32Schema.nullable().optional(),
    /** Host PID (the agent runs with hostPID); Linux caps pids at 2^22, the store keeps a UInt32. */
    pid: uint32Schema.min(1),
    /** As printed; may be empty, may be a Windows path. */
    processName: z.string(),
    /** GPU memory used by the process; null when not reported (WDDM prints N/A). */
    usedMemoryBytes: nullableNonNegativeInt,
    podUid: nonEmptyStringSchema.nullable(),
    containerId: nonEmptyStringSchema.nullable(),
  })
  .readonly();
export type GpuProcess = z.infer<typeof GpuProcessSchema>;

/**
 * GpuSampleBatch v1 — everything one agent read from one GPU source in one collection cycle.
 * Topic `telemetry.gpu-samples.v1`, keyed by node.
 *
 * Lifecycle and identity: `bootId` is a random id drawn when the agent process starts; `seq`
 * starts at 0 for each bootId and increases by exactly one per batch (across sources), so
 * `(agentId, bootId, seq)` identifies a batch: a repeat is a duplicate to drop, a gap is data
 * lost (visible, measurable). A batch with no samples is still sent so that `seq` stays dense.
 * Batches may be delivered more than once (agent spool replay, Kafka redelivery).
 *
 * `processes` carries the GPU-process -> pod binding (there is no separate process-bindings
 * record); it may be empty when the source does not list processes.
 */
export const GpuSampleBatchSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    agentId: nonEmptyStringSchema,
    bootId: nonEmptyStringSchema,
    seq: nonNegativeIntSchema,
    cluster: nonEmptyStringSchema,
    node: nonEmptyStringSchema,
    /** When the collection cycle ran (host clock), UTC epoch ms. */
    collectedAtMs: epochMsSchema,
    source: z.enum(GpuSampleSource),
    samples: z.array(GpuSampleSchema).readonly(),
    processes: z.array(GpuProcessSchema).readonly(),
  })
  .readonly();
export type GpuSampleBatch = z.infer<typeof GpuSampleBatchSchema>;

/** Decodes one `telemetry.gpu-samples.v1` value. Never throws. */
export const decodeGpuSampleBatch = (raw: string): Result<GpuSampleBatch> => decodeJson(GpuSampleBatchSchema, raw);
