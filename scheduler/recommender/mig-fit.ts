/**
 * The smallest MIG profile of a GPU model that holds a workload's compute and memory need.
 *
 * Memory of a profile: the name's GB × 998.4 MiB. The A100-SXM4-80GB capture in
 * shared/fixtures/telemetry (telegraf, driver 535.54.03) reports its four `2g.20gb` instances with
 * 19968 MiB each = 20 × 998.4 MiB; the same ratio is applied to every profile name, so a profile is
 * never credited with more than the name promises.
 * Compute of a profile: its share of the parent (mig-profiles.ts, g/7 on A100/H100/H200), the
 * share the cost ledger bills.
 */
import { MIG_FAMILIES, migShare } from '../../pipeline/cost/mig-profiles.ts';

export const MIB = 1024 * 1024;
/** MiB per "GB" of a MIG profile name (19968 MiB for 2g.20gb in the A100 capture). */
export const MIG_MIB_PER_NAMED_GB = 998.4;

export interface MigFit {
  readonly profile: string;
  /** Share of the parent GPU (billing share). */
  readonly share: number;
  readonly memoryBytes: number;
}

/** Usable memory of a profile name like `3g.40gb` (compute-instance prefixes and `+me` suffixes ignored). */
export const migProfileMemoryBytes = (profile: string): number => {
  const gb = /(\d+)gb/.exec(profile)?.[1];
  if (gb === undefined) throw new RangeError(`not a MIG profile name: ${profile}`);
  return Math.floor(Number(gb) * MIG_MIB_PER_NAMED_GB * MIB);
};

/**
 * The profile with the smallest share (then the least memory) whose share ≥ `computeShare` and
 * whose memory ≥ `memoryBytes`, excluding the whole-GPU profile; null when none fits or the model
 * has no MIG table.
 */
export const smallestMigProfile = (gpuModel: string, computeShare: number, memoryBytes: number): MigFit | null => {
  const family = MIG_FAMILIES[gpuModel];
  if (family === undefined) return null;
  const fits = family.profiles
    .map((profile) => ({ profile, share: migShare(gpuModel, profile), memoryBytes: migProfileMemoryBytes(profile) }))
    .filter((p) => p.share < 1 && p.share >= computeShare && p.memoryBytes >= memoryBytes)
    .sort((a, b) => a.share - b.share || a.memoryBytes - b.memoryBytes);
  return fits[0] ?? null;
};
