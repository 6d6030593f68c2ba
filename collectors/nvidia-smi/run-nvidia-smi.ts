import { execFile } from 'node:child_process';
import { NVIDIA_SMI_CSV_APP_FIELDS, NVIDIA_SMI_CSV_GPU_FIELDS } from './parse-csv.ts';

export interface NvidiaSmiRunConfig {
  /** Absolute path of the nvidia-smi executable (or the fake one). */
  readonly path: string;
  readonly timeoutMs: number;
  /** Output larger than this is an error, not an out-of-memory. */
  readonly maxOutputBytes: number;
  /** The complete environment of the child, when not inherited (the fake nvidia-smi reads which capture to replay from it). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Arguments are fixed here, never built from input: the agent runs exactly these queries. */
export const NVIDIA_SMI_QUERIES = {
  fullXml: ['-q', '-x'],
  /** The every-second path: a few hundred bytes per GPU instead of ~50 KB of XML. */
  gpuCsv: [`--query-gpu=${NVIDIA_SMI_CSV_GPU_FIELDS.join(',')}`, '--format=csv'],
  computeAppsCsv: [`--query-compute-apps=${NVIDIA_SMI_CSV_APP_FIELDS.join(',')}`, '--format=csv'],
  /** The GPU topology matrix (parse-topo.ts): at agent start and every few minutes. */
  topology: ['topo', '-m'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Runs nvidia-smi with fixed arguments, a timeout and an output size limit; resolves with stdout.
 * Rejects with a message naming the cause (not found, timed out, exit code and stderr, too large).
 */
export function runNvidiaSmi(
  config: NvidiaSmiRunConfig,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      config.path,
      [...args],
      {
        timeout: config.timeoutMs,
        maxBuffer: config.maxOutputBytes,
        encoding: 'utf8',
        signal,
        killSignal: 'SIGKILL',
        ...(config.env ? { env: config.env } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
        if (e.code === 'ENOENT') return reject(new Error(`nvidia-smi not found at ${config.path}`));
        if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
          return reject(new Error(`nvidia-smi output exceeded ${config.maxOutputBytes} bytes`));
        if (e.killed) return reject(new Error(`nvidia-smi timed out after ${config.timeoutMs} ms`));
        reject(
          new Error(`nvidia-smi ${args.join(' ')} failed (exit ${String(e.code)}): ${stderr.trim().slice(0, 500)}`),
        );
      },
    );
  });
}
