import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../contracts/config-error.ts';
import { fixturePath } from '../test/helpers/fixtures.ts';
import { createAgentSources } from './agent-sources.ts';
import { loadConfig } from './config.ts';

const FAKE = resolve(import.meta.dirname, '../bin/fake-nvidia-smi.js');
const load = (env: NodeJS.ProcessEnv) => loadConfig(env, '/srv');

describe('agent sources: DCGM with the process list of nvidia-smi', () => {
  afterEach(() => {
    delete process.env['FAKE_NVIDIA_SMI_XML'];
  });

  it('DCGM alone by default; with GPU_LEDGER_DCGM_PROCESSES=nvidia-smi, only the processes of -q -x beside it', async () => {
    const base = { GPU_LEDGER_GPU_SOURCE: 'dcgm', GPU_LEDGER_NVIDIA_SMI: FAKE };
    const plain = await createAgentSources(load(base), Date.now);
    expect([plain.gpu.name, ...plain.others.map((c) => c.name)]).toEqual(['dcgm']);

    const withProcesses = await createAgentSources(
      load({ ...base, GPU_LEDGER_DCGM_PROCESSES: 'nvidia-smi' }),
      Date.now,
    );
    expect([withProcesses.gpu.name, ...withProcesses.others.map((c) => c.name)]).toEqual([
      'dcgm',
      'nvidia-smi-processes',
    ]);
    // The fake replays the real 2× RTX A5000 capture: its llama-server processes, and no samples (DCGM gives those).
    process.env['FAKE_NVIDIA_SMI_XML'] = fixturePath('nvidia-smi-xml', 'telegraf__2x-rtx-a5000__590.44.01__procs.xml');
    const result = await withProcesses.others[0]!.collect(AbortSignal.timeout(10_000));
    expect(result.errors).toEqual([]);
    expect(result.samples).toEqual([]);
    expect(result.processes.length).toBeGreaterThan(0);
    expect(result.processes.every((p) => p.gpuUuid.startsWith('GPU-') && p.gpuInstanceId === null)).toBe(true);
  });

  it('refuses an unknown GPU_LEDGER_DCGM_PROCESSES', () => {
    expect(() => load({ GPU_LEDGER_DCGM_PROCESSES: 'dcgm' })).toThrow(ConfigError);
    expect(() => load({ GPU_LEDGER_DCGM_PROCESSES: 'dcgm' })).toThrow(
      /GPU_LEDGER_DCGM_PROCESSES must be nvidia-smi or none/,
    );
  });
});
