/**
 * The dcgm-exporter metrics we read, as data: which value each feeds, under the current name
 * (`DCGM_FI_*`) and the 1.x-compatibility name (`dcgm_*`, etc/1.x-compatibility-metrics.csv).
 *
 * Scope says where a value belongs on a MIG-enabled GPU. The exporter repeats device-wide fields
 * (power, clocks, temperature) on every GPU-instance series; those go to the parent GPU sample.
 * Memory and profiling (DCP) fields are per GPU instance and go to the MIG sample.
 */
export const DcgmScope = { device: 'device', instance: 'instance' } as const;
export type DcgmScope = (typeof DcgmScope)[keyof typeof DcgmScope];

export const DcgmValue = {
  utilizationPct: 'utilizationPct',
  fbUsedMiB: 'fbUsedMiB',
  fbFreeMiB: 'fbFreeMiB',
  fbReservedMiB: 'fbReservedMiB',
  powerWatts: 'powerWatts',
  powerLimitWatts: 'powerLimitWatts',
  temperatureC: 'temperatureC',
  smClockMhz: 'smClockMhz',
  memClockMhz: 'memClockMhz',
  lastXid: 'lastXid',
  eccSbeVolatile: 'eccSbeVolatile',
  eccDbeVolatile: 'eccDbeVolatile',
  grEngineActiveRatio: 'grEngineActiveRatio',
  smActiveRatio: 'smActiveRatio',
  tensorActiveRatio: 'tensorActiveRatio',
  dramActiveRatio: 'dramActiveRatio',
  pcieTxBytesPerSecond: 'pcieTxBytesPerSecond',
  pcieRxBytesPerSecond: 'pcieRxBytesPerSecond',
  memCopyUtilPct: 'memCopyUtilPct',
  encoderUtilPct: 'encoderUtilPct',
  decoderUtilPct: 'decoderUtilPct',
  memoryTemperatureC: 'memoryTemperatureC',
  energyMillijoules: 'energyMillijoules',
  pcieReplayTotal: 'pcieReplayTotal',
  nvlinkBandwidthTotal: 'nvlinkBandwidthTotal',
  vgpuLicenseStatus: 'vgpuLicenseStatus',
  remappedRowsCorrectable: 'remappedRowsCorrectable',
  remappedRowsUncorrectable: 'remappedRowsUncorrectable',
  rowRemapFailure: 'rowRemapFailure',
} as const;
export type DcgmValue = (typeof DcgmValue)[keyof typeof DcgmValue];

const { device, instance } = DcgmScope;
const FIELDS: readonly (readonly [DcgmValue, DcgmScope, readonly string[]])[] = [
  [DcgmValue.utilizationPct, device, ['DCGM_FI_DEV_GPU_UTIL', 'dcgm_gpu_utilization']],
  [DcgmValue.fbUsedMiB, instance, ['DCGM_FI_DEV_FB_USED', 'dcgm_fb_used']],
  [DcgmValue.fbFreeMiB, instance, ['DCGM_FI_DEV_FB_FREE', 'dcgm_fb_free']],
  [DcgmValue.fbReservedMiB, instance, ['DCGM_FI_DEV_FB_RESERVED']],
  [DcgmValue.powerWatts, device, ['DCGM_FI_DEV_POWER_USAGE', 'dcgm_power_usage']],
  [DcgmValue.powerLimitWatts, device, ['DCGM_FI_DEV_POWER_MGMT_LIMIT', 'DCGM_FI_DEV_ENFORCED_POWER_LIMIT']],
  [DcgmValue.temperatureC, device, ['DCGM_FI_DEV_GPU_TEMP', 'dcgm_gpu_temp']],
  [DcgmValue.smClockMhz, device, ['DCGM_FI_DEV_SM_CLOCK', 'dcgm_sm_clock']],
  [DcgmValue.memClockMhz, device, ['DCGM_FI_DEV_MEM_CLOCK', 'dcgm_memory_clock']],
  [DcgmValue.lastXid, device, ['DCGM_FI_DEV_XID_ERRORS', 'dcgm_xid_errors']],
  [DcgmValue.eccSbeVolatile, device, ['DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 'dcgm_ecc_sbe_volatile_total']],
  [DcgmValue.eccDbeVolatile, device, ['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'dcgm_ecc_dbe_volatile_total']],
  [DcgmValue.grEngineActiveRatio, instance, ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'dcgm_fi_prof_gr_engine_active']],
  [DcgmValue.smActiveRatio, instance, ['DCGM_FI_PROF_SM_ACTIVE', 'dcgm_fi_prof_sm_active']],
  [DcgmValue.tensorActiveRatio, instance, ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'dcgm_fi_prof_pipe_tensor_active']],
  [DcgmValue.dramActiveRatio, instance, ['DCGM_FI_PROF_DRAM_ACTIVE', 'dcgm_fi_prof_dram_active']],
  // The 1.x names of these two are byte counters, not rates: not read.
  [DcgmValue.pcieTxBytesPerSecond, instance, ['DCGM_FI_PROF_PCIE_TX_BYTES']],
  [DcgmValue.pcieRxBytesPerSecond, instance, ['DCGM_FI_PROF_PCIE_RX_BYTES']],
  [DcgmValue.memCopyUtilPct, device, ['DCGM_FI_DEV_MEM_COPY_UTIL', 'dcgm_mem_copy_utilization']],
  [DcgmValue.encoderUtilPct, device, ['DCGM_FI_DEV_ENC_UTIL', 'dcgm_enc_utilization']],
  [DcgmValue.decoderUtilPct, device, ['DCGM_FI_DEV_DEC_UTIL', 'dcgm_dec_utilization']],
  [DcgmValue.memoryTemperatureC, device, ['DCGM_FI_DEV_MEMORY_TEMP', 'dcgm_memory_temp']],
  [DcgmValue.energyMillijoules, device, ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'dcgm_total_energy_consumption']],
  [DcgmValue.pcieReplayTotal, device, ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'dcgm_pcie_replay_counter']],
  [DcgmValue.nvlinkBandwidthTotal, device, ['DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 'dcgm_nvlink_bandwidth_total']],
  [DcgmValue.vgpuLicenseStatus, device, ['DCGM_FI_DEV_VGPU_LICENSE_STATUS']],
  [DcgmValue.remappedRowsCorrectable, device, ['DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS']],
  [DcgmValue.remappedRowsUncorrectable, device, ['DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS']],
  [DcgmValue.rowRemapFailure, device, ['DCGM_FI_DEV_ROW_REMAP_FAILURE']],
];

/** Metric name → the value it feeds and its scope. */
export const DCGM_METRICS: ReadonlyMap<string, { readonly value: DcgmValue; readonly scope: DcgmScope }> = new Map(
  FIELDS.flatMap(([value, scope, names]) => names.map((name) => [name, { value, scope }] as const)),
);

/**
 * DCGM blank sentinels (dcgm_structs.h): DCGM_INT64_BLANK 0x7ffffffffffffff0 and the next three
 * (NOT_FOUND, NOT_SUPPORTED, NOT_PERMISSIONED) all round to 2^63 as a double; DCGM_FP64_BLANK is
 * 2^47 (140737488355328.0) and the next three. They mean "no data", never a reading.
 */
export const isDcgmBlank = (v: number): boolean =>
  v >= 9_223_372_036_854_775_000 || (v >= 140_737_488_355_328 && v <= 140_737_488_355_331);

/** DCGM's string blank; also seen as `GPU_I_PROFILE="<<<NULL>>>"`. */
export const DCGM_STRING_BLANK = '<<<NULL>>>';

/** Label names across exporter versions: first present, non-blank one wins. */
export const DCGM_LABELS = {
  uuid: ['UUID', 'uuid'],
  gpu: ['gpu'],
  model: ['modelName'],
  pciBusId: ['pci_bus_id'],
  driver: ['DCGM_FI_DRIVER_VERSION'],
  hostname: ['Hostname', 'hostname'],
  gpuInstanceId: ['GPU_I_ID'],
  gpuInstanceProfile: ['GPU_I_PROFILE'],
  pod: ['pod', 'pod_name'],
  namespace: ['namespace', 'pod_namespace'],
  container: ['container', 'container_name'],
  podUid: ['pod_uid'],
} as const satisfies Record<string, readonly string[]>;

export function dcgmLabel(labels: Readonly<Record<string, string>>, key: keyof typeof DCGM_LABELS): string | null {
  for (const name of DCGM_LABELS[key]) {
    const v = labels[name]?.trim();
    if (v && v !== DCGM_STRING_BLANK) return v;
  }
  return null;
}
