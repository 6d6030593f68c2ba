import type { GpuProcess, GpuSample } from '../../contracts/index.ts';
import type { Collector, CollectResult } from '../collector.ts';
import { createNvidiaSmiLoop } from './nvidia-smi-loop.ts';
import {
  NVIDIA_SMI_CSV_APP_FIELDS,
  NVIDIA_SMI_CSV_GPU_FIELDS,
  parseNvidiaSmiAppsCsv,
  parseNvidiaSmiGpuCsv,
} from './parse-csv.ts';
import { NVIDIA_SMI_QUERIES, type NvidiaSmiRunConfig } from './run-nvidia-smi.ts';

export interface NvidiaSmiCsvConfig extends NvidiaSmiRunConfig {
  /** The agent's sampling interval: nvidia-smi's loop interval (`-lms`). */
  readonly intervalMs: number;
  /** Overrides for tests: see NvidiaSmiLoopConfig. */
  readonly settleMs?: number;
  readonly restartInitialMs?: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Collects GPUs and GPU processes from the two `--format=csv` queries (the fast path), each run as
 * ONE long-lived `nvidia-smi … -lms <intervalMs>` child (nvidia-smi-loop.ts) instead of two
 * processes per tick. A collect returns the GPU rows of an interval no earlier collect returned,
 * waiting for it (so ticks lock onto nvidia-smi's loop, without duplicates), stamped with the time
 * they were printed. The compute-apps loop prints nothing in an interval without GPU processes, so
 * its newest rows count while younger than 1.5 intervals, and none means no processes. A failed,
 * stalled or unparseable query is an error entry and the other one's records are kept; a dead or
 * stalled child is restarted with backoff.
 */
export function createNvidiaSmiCsvCollector(
  config: NvidiaSmiCsvConfig,
  now: () => number,
): Collector & { readonly name: 'nvidia-smi-csv' } {
  const gpus = createNvidiaSmiLoop(
    {
      ...config,
      args: NVIDIA_SMI_QUERIES.gpuCsv,
      fields: NVIDIA_SMI_CSV_GPU_FIELDS,
      keyFields: ['uuid'],
      printsEveryInterval: true,
    },
    now,
  );
  const apps = createNvidiaSmiLoop(
    {
      ...config,
      args: NVIDIA_SMI_QUERIES.computeAppsCsv,
      fields: NVIDIA_SMI_CSV_APP_FIELDS,
      keyFields: ['pid', 'gpu_uuid'],
      printsEveryInterval: false,
    },
    now,
  );
  const appsFreshMs = config.intervalMs * 1.5;
  let gpuSeq = 0;

  return {
    name: 'nvidia-smi-csv' as const,
    async collect(signal): Promise<CollectResult> {
      const errors: string[] = [];
      let samples: GpuSample[] = [];
      let processes: GpuProcess[] = [];
      const [gpuBlock, appsBlock] = await Promise.allSettled([
        gpus.next(gpuSeq, signal),
        apps.current(appsFreshMs, signal),
      ]);
      try {
        if (gpuBlock.status === 'rejected') throw gpuBlock.reason;
        gpuSeq = gpuBlock.value.seq;
        const parsed = parseNvidiaSmiGpuCsv(gpuBlock.value.csv, gpuBlock.value.observedAtMs);
        samples = parsed.samples;
        errors.push(...parsed.errors.map((e) => `query-gpu: ${e}`));
      } catch (error) {
        errors.push(`query-gpu: ${messageOf(error)}`);
      }
      try {
        if (appsBlock.status === 'rejected') throw appsBlock.reason;
        const parsed =
          appsBlock.value === null ? { processes: [], errors: [] } : parseNvidiaSmiAppsCsv(appsBlock.value.csv);
        processes = parsed.processes;
        errors.push(...parsed.errors.map((e) => `query-compute-apps: ${e}`));
      } catch (error) {
        errors.push(`query-compute-apps: ${messageOf(error)}`);
      }
      return { samples, processes, modelServers: [], xidEvents: [], errors };
    },
    close: async () => void (await Promise.all([gpus.close(), apps.close()])),
  };
}
