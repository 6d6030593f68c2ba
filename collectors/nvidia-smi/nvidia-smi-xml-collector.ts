import { emptyCollectResult, type Collector, type CollectResult } from '../collector.ts';
import { parseNvidiaSmiXml } from './parse-xml.ts';
import { NVIDIA_SMI_QUERIES, runNvidiaSmi, type NvidiaSmiRunConfig } from './run-nvidia-smi.ts';

/** Collects GPUs, MIG instances and GPU processes from `nvidia-smi -q -x`. */
export function createNvidiaSmiXmlCollector(
  config: NvidiaSmiRunConfig,
  now: () => number,
): Collector & { readonly name: 'nvidia-smi-xml' } {
  return {
    name: 'nvidia-smi-xml' as const,
    async collect(signal): Promise<CollectResult> {
      const observedAtMs = now();
      const xml = await runNvidiaSmi(config, NVIDIA_SMI_QUERIES.fullXml, signal);
      const { samples, processes, errors } = parseNvidiaSmiXml(xml, observedAtMs);
      return { ...emptyCollectResult(errors), samples, processes };
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Only the GPU processes of `nvidia-smi -q -x` (pid, MIG GPU/compute instance, memory), beside
 * dcgm-exporter as the GPU source: the exporter lists no processes, so without them no sample binds
 * to a pod. The processes name the parent `GPU-…` UUID, as DCGM's samples do.
 */
export function createNvidiaSmiProcessCollector(
  config: NvidiaSmiRunConfig,
  now: () => number,
): Collector & { readonly name: 'nvidia-smi-processes' } {
  const xml = createNvidiaSmiXmlCollector(config, now);
  return {
    name: 'nvidia-smi-processes' as const,
    async collect(signal): Promise<CollectResult> {
      const { processes, errors } = await xml.collect(signal);
      return { ...emptyCollectResult(errors), processes };
    },
    close: () => xml.close(),
  };
}
