import type { GpuProcess, GpuSample } from '../../contracts/index.ts';
import type { Collector, CollectResult } from '../collector.ts';
import { parseNvidiaSmiAppsCsv, parseNvidiaSmiGpuCsv } from './parse-csv.ts';
import { NVIDIA_SMI_QUERIES, runNvidiaSmi, type NvidiaSmiRunConfig } from './run-nvidia-smi.ts';

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Collects GPUs and GPU processes from the two `--format=csv` queries (the fast path). The queries
 * run one after the other (NVML serialises them anyway); a failed or unparseable query is an error
 * entry and the other one's records are kept.
 */
export function createNvidiaSmiCsvCollector(config: NvidiaSmiRunConfig, now: () => number): Collector & { readonly name: 'nvidia-smi-csv' } {
  return {
    name: 'nvidia-smi-csv' as const,
    async collect(signal): Promise<CollectResult> {
      const observedAtMs = now();
      const errors: string[] = [];
      let samples: GpuSample[] = [];
      let processes: GpuProcess[] = [];
      try {
        const gpus = parseNvidiaSmiGpuCsv(await runNvidiaSmi(config, NVIDIA_SMI_QUERIES.gpuCsv, signal), observedAtMs);
        samples = gpus.samples;
        errors.push(...gpus.errors.map((e) => `query-gpu: ${e}`));
      } catch (error) {
        errors.push(`query-gpu: ${messageOf(error)}`);
      }
      try {
        const apps = parseNvidiaSmiAppsCsv(await runNvidiaSmi(config, NVIDIA_SMI_QUERIES.computeAppsCsv, signal));
        processes = apps.processes;
        errors.push(...apps.errors.map((e) => `query-compute-apps: ${e}`));
      } catch (error) {
        errors.push(`query-compute-apps: ${messageOf(error)}`);
      }
      return { samples, processes, modelServers: [], xidEvents: [], errors };
    },
    close: () => Promise.resolve(),
  };
}
