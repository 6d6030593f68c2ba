import type { GpuProcess, GpuSample } from '../contracts/index.ts';

/** What one collect pass produced. Partial success is data: errors sit beside the samples. */
export interface CollectResult {
  readonly samples: readonly GpuSample[];
  readonly processes: readonly GpuProcess[];
  readonly errors: readonly string[];
}

export const COLLECTOR_NAMES = { nvidiaSmiXml: 'nvidia-smi-xml' } as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[keyof typeof COLLECTOR_NAMES];

/** Reads one telemetry source on this host. One bad GPU never fails the whole collect. */
export interface Collector {
  readonly name: CollectorName;
  collect(signal: AbortSignal): Promise<CollectResult>;
  /** Idempotent, safe before the first collect. */
  close(): Promise<void>;
}
