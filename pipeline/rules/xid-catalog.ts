/**
 * NVIDIA Xid codes → meaning, NVIDIA's recommended immediate action, and the alert severity we give
 * it. Data, not logic: the xid rule looks codes up here, and a rules file may override severities
 * per code (`params.severityByCode`).
 *
 * Source: NVIDIA, "Xid Errors" (https://docs.nvidia.com/deploy/xid-errors/index.html): the Xid
 * listing (names, possible causes) and, for Ampere and newer, the Xid catalog
 * (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html) whose "resolution bucket"
 * names the immediate action: RESTART_APP, RESET_GPU, RESTART_BM (reboot the node), CONTACT_SUPPORT,
 * IGNORE. Names below follow NVIDIA's listing; meanings are paraphrased. Transcribed by hand for the
 * codes a GPU platform team meets; check the catalog of your driver branch for the rest.
 *
 * Severity (ours, from the action): the node or GPU must be drained, reset or replaced → critical;
 * the application crashed or must restart, the GPU stays usable → warning; a consequence of another
 * Xid or informational → info. Codes not listed: warning.
 */
import type { AlertSeverity } from '../../contracts/alert.ts';

export const XidAction = {
  restartApp: 'RESTART_APP',
  resetGpu: 'RESET_GPU',
  rebootNode: 'RESTART_BM',
  contactSupport: 'CONTACT_SUPPORT',
  ignore: 'IGNORE',
} as const;
export type XidAction = (typeof XidAction)[keyof typeof XidAction];

export const XidCategory = {
  application: 'application',
  memory: 'memory',
  hardware: 'hardware',
  interconnect: 'interconnect',
  firmware: 'firmware',
  driver: 'driver',
} as const;
export type XidCategory = (typeof XidCategory)[keyof typeof XidCategory];

export interface XidInfo {
  readonly name: string;
  readonly meaning: string;
  readonly action: XidAction;
  readonly category: XidCategory;
  readonly severity: AlertSeverity;
}

const app = (name: string, meaning: string): XidInfo => ({
  name,
  meaning,
  action: XidAction.restartApp,
  category: XidCategory.application,
  severity: 'warning',
});

export const XID_CATALOG: Readonly<Record<number, XidInfo>> = {
  8: app('GPU stopped processing', 'a channel timed out (hung kernel or driver); the application is stopped'),
  13: app(
    'Graphics Engine Exception',
    'usually an application fault (illegal or out-of-range memory access, illegal instruction); rarely hardware if it repeats on one GPU',
  ),
  31: app(
    'GPU memory page fault',
    'the application touched an unmapped address (MMU fault); a driver bug or hardware only if it repeats across applications',
  ),
  32: app('Invalid or corrupted push buffer stream', 'a corrupted command stream (PBDMA): driver, application or PCIe'),
  38: {
    name: 'Driver firmware error',
    meaning: 'the driver firmware reported an error',
    action: XidAction.resetGpu,
    category: XidCategory.firmware,
    severity: 'critical',
  },
  43: app(
    'GPU stopped processing',
    'the application hit a software-induced fault and was stopped; the GPU remains healthy',
  ),
  45: {
    name: 'Preemptive cleanup, due to previous errors',
    meaning: 'channels torn down after another Xid or because the application was killed; look for the Xid before it',
    action: XidAction.ignore,
    category: XidCategory.driver,
    severity: 'info',
  },
  48: {
    name: 'Double Bit ECC Error',
    meaning: 'uncorrectable (DBE) memory error; on A100 and newer followed by 63/64 (row remap) and 94/95',
    action: XidAction.resetGpu,
    category: XidCategory.memory,
    severity: 'critical',
  },
  61: {
    name: 'Internal micro-controller breakpoint/warning',
    meaning: 'the GPU internal micro-controller (PMU) hit a breakpoint',
    action: XidAction.resetGpu,
    category: XidCategory.firmware,
    severity: 'critical',
  },
  62: {
    name: 'Internal micro-controller halt',
    meaning: 'the GPU internal micro-controller halted',
    action: XidAction.resetGpu,
    category: XidCategory.firmware,
    severity: 'critical',
  },
  63: {
    name: 'ECC page retirement or row remapping recording event',
    meaning:
      'a bad memory row was recorded for remapping (page retired on older GPUs); it takes effect at the next GPU reset',
    action: XidAction.resetGpu,
    category: XidCategory.memory,
    severity: 'warning',
  },
  64: {
    name: 'ECC page retirement or row remapper recording failure',
    meaning: 'recording the remap failed (no spare rows left): the GPU needs service',
    action: XidAction.contactSupport,
    category: XidCategory.memory,
    severity: 'critical',
  },
  68: app('NVDEC0 Exception', 'video decoder engine exception'),
  69: app('Graphics Engine class error', 'the application used an engine class wrongly'),
  74: {
    name: 'NVLINK Error',
    meaning: 'an NVLink link fault; the GPU (and its NVLink peers) need a reset, check cabling/bridges if it repeats',
    action: XidAction.resetGpu,
    category: XidCategory.interconnect,
    severity: 'critical',
  },
  79: {
    name: 'GPU has fallen off the bus',
    meaning:
      'the GPU stopped answering on PCIe (power, thermal, PCIe link or board failure); reboot the node, inspect if it repeats',
    action: XidAction.rebootNode,
    category: XidCategory.hardware,
    severity: 'critical',
  },
  92: {
    name: 'High single-bit ECC error rate',
    meaning: 'correctable errors at a high rate: the memory may be degrading',
    action: XidAction.contactSupport,
    category: XidCategory.memory,
    severity: 'warning',
  },
  94: {
    name: 'Contained ECC error',
    meaning:
      'an uncorrectable error was contained to the applications using that memory; they are stopped, the GPU stays usable',
    action: XidAction.restartApp,
    category: XidCategory.memory,
    severity: 'warning',
  },
  95: {
    name: 'Uncontained ECC error',
    meaning: 'an uncorrectable error could not be contained: every application on the GPU is affected; reset the GPU',
    action: XidAction.resetGpu,
    category: XidCategory.memory,
    severity: 'critical',
  },
  109: app('Context Switch Timeout Error', 'a context switch timed out (often a hung or misbehaving kernel)'),
  119: {
    name: 'GSP RPC Timeout',
    meaning: 'the GPU System Processor did not answer the driver; reset the GPU (reboot if that fails)',
    action: XidAction.resetGpu,
    category: XidCategory.firmware,
    severity: 'critical',
  },
  120: {
    name: 'GSP Error',
    meaning: 'the GPU System Processor reported an error',
    action: XidAction.resetGpu,
    category: XidCategory.firmware,
    severity: 'critical',
  },
  140: {
    name: 'Unrecovered ECC Error',
    meaning: 'an ECC error the GPU could not recover from',
    action: XidAction.resetGpu,
    category: XidCategory.memory,
    severity: 'critical',
  },
  143: {
    name: 'GPU Initialization Failure',
    meaning: 'the GPU failed to initialize',
    action: XidAction.resetGpu,
    category: XidCategory.hardware,
    severity: 'critical',
  },
  145: {
    name: 'NVLink RLW Error',
    meaning: 'NVLink fabric error (Blackwell); peers log Xid 45 for the channels torn down after it',
    action: XidAction.resetGpu,
    category: XidCategory.interconnect,
    severity: 'critical',
  },
  149: {
    name: 'NVLink NETIR Error',
    meaning: 'NVLink network interface error (Blackwell); peers log Xid 45 after it',
    action: XidAction.resetGpu,
    category: XidCategory.interconnect,
    severity: 'critical',
  },
  154: {
    name: 'GPU Recovery Action Changed',
    meaning:
      'the driver changed the recovery the GPU needs (reset, drain and reset, reboot): follow the action it names',
    action: XidAction.resetGpu,
    category: XidCategory.driver,
    severity: 'warning',
  },
};

/** The catalog entry, or a generic one for an unlisted code. */
export function xidInfo(xid: number): XidInfo {
  return (
    XID_CATALOG[xid] ?? {
      name: `Xid ${xid}`,
      meaning: 'not in the catalog here: look it up in NVIDIA’s Xid catalog for your driver branch',
      action: XidAction.contactSupport,
      category: XidCategory.driver,
      severity: 'warning',
    }
  );
}
