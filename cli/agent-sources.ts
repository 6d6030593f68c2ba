import type { Collector } from '../collectors/collector.ts';
import { createDcgmCollector } from '../collectors/dcgm/dcgm-collector.ts';
import { createModelServerCollector } from '../collectors/inference/model-server-collector.ts';
import { createNvidiaSmiCsvCollector } from '../collectors/nvidia-smi/nvidia-smi-csv-collector.ts';
import { createNvidiaSmiXmlCollector } from '../collectors/nvidia-smi/nvidia-smi-collector.ts';
import { createXidCollector } from '../collectors/xid/xid-collector.ts';
import type { GpuSampleSource } from '../contracts/index.ts';
import type { AppConfig } from './config.ts';

const SCRAPE = { timeoutMs: 5000, maxBytes: 8 * 1024 * 1024 } as const;

/** The agent's collectors as configured: one GPU source, then model servers and the Xid log. */
export function createAgentSources(config: AppConfig, now: () => number): { gpu: Collector & { readonly name: GpuSampleSource }; others: Collector[] } {
  const smi = { path: config.nvidiaSmiPath, timeoutMs: config.nvidiaSmiTimeoutMs, maxOutputBytes: 16 * 1024 * 1024 };
  const gpu =
    config.gpuSource === 'dcgm'
      ? createDcgmCollector({ url: config.dcgmUrl, ...SCRAPE }, now)
      : config.gpuSource === 'nvidia-smi-xml'
        ? createNvidiaSmiXmlCollector(smi, now)
        : createNvidiaSmiCsvCollector(smi, now);
  const others: Collector[] = config.modelServers.map(({ kind, url }) => createModelServerCollector({ kind, url, ...SCRAPE }, now));
  if (config.xidLogPath !== '') others.push(createXidCollector({ path: config.xidLogPath }, now));
  return { gpu, others };
}
