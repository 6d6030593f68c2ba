import type { Collector } from '../collectors/collector.ts';
import type { GpuSampleSource } from '../contracts/index.ts';
import type { AppConfig } from './config.ts';

const SCRAPE = { timeoutMs: 5000, maxBytes: 8 * 1024 * 1024 } as const;

/**
 * The agent's collectors as configured: one GPU source (with DCGM, optionally nvidia-smi's process
 * list beside it), then model servers and the Xid log. Each
 * collector's module is loaded only when it is configured (the XML one alone pulls in an XML
 * parser: about 5 MB of RSS the CSV path does not need).
 */
export async function createAgentSources(
  config: AppConfig,
  now: () => number,
): Promise<{ gpu: Collector & { readonly name: GpuSampleSource }; others: Collector[] }> {
  const smi = { path: config.nvidiaSmiPath, timeoutMs: config.nvidiaSmiTimeoutMs, maxOutputBytes: 16 * 1024 * 1024 };
  const gpu =
    config.gpuSource === 'dcgm'
      ? (await import('../collectors/dcgm/dcgm-collector.ts')).createDcgmCollector(
          { url: config.dcgmUrl, ...SCRAPE },
          now,
        )
      : config.gpuSource === 'nvidia-smi-xml'
        ? (await import('../collectors/nvidia-smi/nvidia-smi-xml-collector.ts')).createNvidiaSmiXmlCollector(smi, now)
        : (await import('../collectors/nvidia-smi/nvidia-smi-csv-collector.ts')).createNvidiaSmiCsvCollector(
            { ...smi, intervalMs: config.sampleIntervalMs },
            now,
          );
  const others: Collector[] = [];
  if (config.gpuSource === 'dcgm' && config.dcgmProcesses === 'nvidia-smi')
    others.push(
      (await import('../collectors/nvidia-smi/nvidia-smi-xml-collector.ts')).createNvidiaSmiProcessCollector(smi, now),
    );
  if (config.modelServers.length > 0) {
    const { createModelServerCollector } = await import('../collectors/inference/model-server-collector.ts');
    others.push(
      ...config.modelServers.map(({ kind, url }) => createModelServerCollector({ kind, url, ...SCRAPE }, now)),
    );
  }
  if (config.xidLogPath !== '')
    others.push(
      (await import('../collectors/xid/xid-collector.ts')).createXidCollector({ path: config.xidLogPath }, now),
    );
  return { gpu, others };
}
