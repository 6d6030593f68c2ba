import type { GpuProcess, GpuSample, ModelServerSample } from '../contracts/index.ts';

/** A model server's per-model reading; the agent stamps its identity (agentId, cluster, node) on it. */
export type ModelServerReading = Omit<ModelServerSample, 'schemaVersion' | 'agentId' | 'cluster' | 'node'>;

/** One Xid error from the kernel log. GPUs are named by PCI bus id there; the agent maps it to a UUID. */
export interface XidEvent {
  /** As printed in the NVRM line, e.g. `0000:3b:00`; null when the line names none. */
  readonly pciBusId: string | null;
  readonly xid: number;
  readonly observedAtMs: number;
  readonly message: string;
}

/** What one collect pass produced. Partial success is data: errors sit beside what was read. */
export interface CollectResult {
  readonly samples: readonly GpuSample[];
  readonly processes: readonly GpuProcess[];
  readonly modelServers: readonly ModelServerReading[];
  readonly xidEvents: readonly XidEvent[];
  readonly errors: readonly string[];
}

export const emptyCollectResult = (errors: readonly string[] = []): CollectResult => ({
  samples: [],
  processes: [],
  modelServers: [],
  xidEvents: [],
  errors,
});

export const COLLECTOR_NAMES = {
  nvidiaSmiXml: 'nvidia-smi-xml',
  nvidiaSmiProcesses: 'nvidia-smi-processes',
  nvidiaSmiCsv: 'nvidia-smi-csv',
  dcgm: 'dcgm',
  vllm: 'vllm',
  triton: 'triton',
  tgi: 'tgi',
  xid: 'xid',
} as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[keyof typeof COLLECTOR_NAMES];

/** Reads one telemetry source on this host. One bad GPU (or line) never fails the whole collect. */
export interface Collector {
  readonly name: CollectorName;
  collect(signal: AbortSignal): Promise<CollectResult>;
  /** Idempotent, safe before the first collect. */
  close(): Promise<void>;
}
