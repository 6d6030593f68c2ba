/**
 * MIG profile → share of the parent GPU.
 *
 * RULE (compute slices): a MIG GPU instance `<g>g.<mem>gb` is billed g / S of its parent GPU, where S
 * is the number of compute slices the parent has (7 on A100, H100, H200; 4 on A30). A compute-instance
 * profile `<c>c.<g>g.<mem>gb` is billed c / S (the GI's other compute instances pay for theirs).
 * Memory does not change the share: 1g.10gb and 1g.20gb on an H100 are both 1/7. Why compute slices:
 * every valid MIG layout then sums to ≤ 1 per GPU (7 × 1g = 7/7; 4g + 3g = 7/7; 4 × 1g.20gb = 4/7
 * with the rest idle, as the hardware leaves it), so a partitioned GPU is never billed more than
 * once, and what a layout cannot use shows up as idle.
 * Media-extension variants (`+me`, `-me`, `+me.all`, `+gfx`) are billed like their base profile.
 *
 * Profile lists: NVIDIA MIG User Guide, "Supported MIG Profiles" (A100 40GB/80GB, H100 80GB, H100 NVL
 * 94GB, GH200 96GB, H200 141GB, A30 24GB). A profile not listed for the GPU is an error, not a guess.
 */

export interface MigFamily {
  /** Compute slices of the parent GPU. */
  readonly computeSlices: number;
  /** GPU-instance profiles (base names, without media-extension suffixes). */
  readonly profiles: readonly string[];
}

const SEVEN_SLICE_80GB = ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'];

/** Keyed by the price catalog's canonical model ids. */
export const MIG_FAMILIES: Readonly<Record<string, MigFamily>> = {
  'A100-40GB': { computeSlices: 7, profiles: ['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'] },
  'A100-80GB': { computeSlices: 7, profiles: SEVEN_SLICE_80GB },
  // H100 80GB (SXM5/PCIe), plus the H100 NVL 94GB and GH200 96GB lists, which share the 7-slice layout.
  H100: {
    computeSlices: 7,
    profiles: [
      ...SEVEN_SLICE_80GB,
      '1g.12gb',
      '1g.24gb',
      '2g.24gb',
      '3g.47gb',
      '4g.47gb',
      '7g.94gb',
      '3g.48gb',
      '4g.48gb',
      '7g.96gb',
    ],
  },
  H200: { computeSlices: 7, profiles: ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'] },
  A30: { computeSlices: 4, profiles: ['1g.6gb', '2g.12gb', '4g.24gb'] },
};

const PROFILE = /^(?:(\d+)c\.)?((\d+)g\.\d+gb)(\+me|-me|\+me\.all|\+gfx)?$/;

export class MigProfileError extends Error {
  override readonly name = 'MigProfileError';
  readonly code = 'MIG_PROFILE_UNKNOWN';
}

/** Share (0 < share ≤ 1) of one `profile` instance on a GPU of canonical model `gpuModel`. Throws MigProfileError. */
export const migShare = (gpuModel: string, profile: string): number => {
  const family = MIG_FAMILIES[gpuModel];
  if (family === undefined) {
    throw new MigProfileError(
      `GPU model '${gpuModel}' has no MIG profile table (MIG-capable: ${Object.keys(MIG_FAMILIES).join(', ')})`,
    );
  }
  const m = PROFILE.exec(profile);
  const base = m?.[2];
  if (!m || base === undefined || !family.profiles.includes(base)) {
    throw new MigProfileError(
      `MIG profile '${profile}' is not a ${gpuModel} profile (known: ${family.profiles.join(', ')})`,
    );
  }
  const gSlices = Number(m[3]);
  const cSlices = m[1] === undefined ? gSlices : Number(m[1]);
  if (cSlices < 1 || cSlices > gSlices)
    throw new MigProfileError(`MIG profile '${profile}': compute instance uses ${cSlices} of ${gSlices} slices`);
  return cSlices / family.computeSlices;
};
