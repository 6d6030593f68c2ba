/**
 * Field schemas shared by the records. Records are decoded with zod 4 at every process boundary;
 * these building blocks keep units and ranges identical across records.
 *
 * Unknown extra fields are STRIPPED, not rejected (zod's default for `z.object`): a consumer on an
 * older contract version still accepts a record from a newer producer that added an optional
 * field, and simply does not see it. Adding a field is therefore non-breaking; removing, renaming
 * or changing the meaning/unit of a field is breaking and needs a new topic version.
 *
 * Decoded values are frozen (`.readonly()`), so the inferred types are readonly all the way down.
 */
import { z } from 'zod';

/** Lower bound for every epoch-millisecond timestamp: 2000-01-01T00:00:00Z. */
export const EPOCH_MS_MIN = 946_684_800_000;
/** Upper bound for every epoch-millisecond timestamp: 2100-01-01T00:00:00Z. */
export const EPOCH_MS_MAX = 4_102_444_800_000;

/**
 * UTC epoch milliseconds, integer. The range rejects the classic unit slip (epoch seconds or a
 * trace's relative time passed as milliseconds lands in 1970).
 */
export const epochMsSchema = z
  .int()
  .min(EPOCH_MS_MIN, {
    error: 'expected epoch milliseconds UTC (>= 2000-01-01); got a value that looks like seconds or a relative time',
  })
  .max(EPOCH_MS_MAX, { error: 'expected epoch milliseconds UTC (< 2100-01-01)' });

/** Identifiers and names that must be present. */
export const nonEmptyStringSchema = z.string().min(1);
/** Counts and byte sizes. */
export const nonNegativeIntSchema = z.int().min(0);
/** Largest value of a UInt32 column: GPU indices, MIG instance ids and pids are stored as UInt32. */
export const UINT32_MAX = 4_294_967_295;
/** Small identifiers the store keeps as UInt32 (GPU index, MIG instance ids, Xid codes). */
export const uint32Schema = z.int().min(0).max(UINT32_MAX);
/** Watts, MHz, seconds, USD, counter deltas. */
export const nonNegativeNumberSchema = z.number().min(0);
/** Upper bound of a percentage. */
export const PERCENT_MAX = 100;
/** A percentage 0..100 (sources reporting ratios 0..1, like DCGM PROF fields, are scaled by the producer). */
export const percentSchema = z.number().min(0).max(PERCENT_MAX);

/** `schemaVersion` of every v1 record. */
export const schemaVersion1Schema = z.literal(1);

/** How NVML's UUIDs begin: a whole GPU's `GPU-xxxxxxxx-…`, a MIG device's `MIG-xxxxxxxx-…`. */
export const GPU_UUID_PREFIX = 'GPU-';
export const MIG_UUID_PREFIX = 'MIG-';

/** Whole-GPU UUID as NVML prints it: `GPU-xxxxxxxx-…`. */
export const gpuUuidSchema = z.string().startsWith(GPU_UUID_PREFIX);

/** A device UUID: a MIG device's `MIG-…` or a whole GPU's `GPU-…`. */
export const deviceUuidSchema = z
  .string()
  .regex(new RegExp(`^(${MIG_UUID_PREFIX}|${GPU_UUID_PREFIX})`), { error: 'expected a MIG-… or GPU-… UUID' });

/**
 * MIG profile name as NVML/DCGM print it and as the `nvidia.com/mig-<profile>` resource names it:
 * `1g.10gb`, `7g.79gb`, compute-instance profiles `1c.2g.20gb`, media-extension variants
 * `1g.10gb+me`, `1g.23gb-me`, `1g.12gb+me.all`.
 */
export const MIG_PROFILE_PATTERN = /^(\d+c\.)?\d+g\.\d+gb\S*$/;
export const migProfileSchema = z
  .string()
  .regex(MIG_PROFILE_PATTERN, { error: "expected a MIG profile name like '1g.10gb'" });

/** String labels (Kubernetes labels, alert subject labels). */
export const labelsSchema = z.record(z.string(), z.string()).readonly();

/** Evidence attached to alerts and hints: named numbers (units in the key) or short strings. */
export const evidenceSchema = z.record(z.string(), z.union([z.number(), z.string()])).readonly();
