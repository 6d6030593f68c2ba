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
